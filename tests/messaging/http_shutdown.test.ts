// A server shutting down, as its clients see it: a request that reaches a
// closed HTTP handler, or a handler whose inner transport is closed, is
// answered 503 with Retry-After and a body saying the server is shutting
// down, and the client rejects with a retryable PeerUnreachableError naming
// the server, never with a ClosedError that reads as its own transport closed.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ClosedError, isRetryable, PeerUnreachableError, silentLogger } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { type RunningServer, startHttpServer, TOKEN } from "./_http_fixture.ts";

async function startOrders() {
  const inner = createInProcessTransport({ logger: silentLogger });
  const bus = createBus({ transport: inner, logger: silentLogger });
  bus.handleQuery("orders/show", (payload) => ({ shown: payload }));
  const handler = createHttpHandler({ transport: inner, auth: { bearer: TOKEN } });
  const server = await startHttpServer(handler);
  return { bus, handler, server };
}

function isShuttingDown(url: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PeerUnreachableError, `got ${error}`);
    assert.ok(!(error instanceof ClosedError));
    assert.ok(isRetryable(error));
    assert.match(error.message, new RegExp(`the server at ${url} is shutting down`));
    return true;
  };
}

describe("HTTP server shutting down", () => {
  const servers: RunningServer[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it("a closed handler answers 503 with Retry-After and a body saying the server is shutting down", async () => {
    const { bus, handler, server } = await startOrders();
    servers.push(server);
    await handler.close();
    const response = await fetch(`${server.url}/queries/orders/show`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "{}",
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "1");
    const body = await response.json();
    assert.equal(body._tag, "ClosedError");
    assert.equal(body.shuttingDown, true);
    assert.match(body.message, /the server is shutting down/);
    await bus.close();
  });

  it("query() to a server whose bus is closed rejects with a retryable PeerUnreachableError saying it is shutting down", async () => {
    const { bus, server } = await startOrders();
    servers.push(server);
    await bus.close();
    const client = createBus({
      transport: createHttpTransport({ url: server.url, auth: { bearer: TOKEN } }),
      retry: false,
      logger: silentLogger,
    });
    await assert.rejects(client.query("orders/show", 1), isShuttingDown(server.url));
    await client.close();
  });

  it("query() to a closed handler rejects with a retryable PeerUnreachableError, and the bus's retry reaches another server", async () => {
    const closing = await startOrders();
    const live = await startOrders();
    servers.push(closing.server, live.server);
    await closing.handler.close();
    const direct = createBus({
      transport: createHttpTransport({ url: closing.server.url, auth: { bearer: TOKEN } }),
      retry: false,
      logger: silentLogger,
    });
    await assert.rejects(direct.query("orders/show", 1), isShuttingDown(closing.server.url));
    await direct.close();
    // A balancer in front of both: the first attempt meets the closing server, the retry the live one.
    let attempts = 0;
    const balanced = createBus({
      transport: createHttpTransport({
        url: closing.server.url,
        auth: { bearer: TOKEN },
        fetch: (url, init) =>
          fetch(attempts++ === 0 ? url : url.replace(closing.server.url, live.server.url), init),
      }),
      retry: { maxAttempts: 2, initialDelay: 1 },
      logger: silentLogger,
    });
    assert.deepEqual(await balanced.query("orders/show", 2), { shown: 2 });
    assert.equal(attempts, 2);
    await balanced.close();
    await Promise.all([closing.bus.close(), live.bus.close()]);
  });
});
