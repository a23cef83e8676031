// A server shutting down, as its clients see it: a request that reaches a
// closed HTTP handler, or a handler whose inner transport is closed, is
// answered 503 with Retry-After and a body saying the server is shutting
// down, and the client rejects with a retryable PeerUnreachableError naming
// the server, never with a ClosedError that reads as its own transport closed.
// A server that dies mid-call: the client's error says the request had been
// sent before its connection dropped, whatever the last retry met, and the
// breaker's refusal names the server and the failure that opened it.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, describe, it } from "node:test";
import {
  CircuitOpenError,
  ClosedError,
  isRetryable,
  PeerUnreachableError,
  silentLogger,
} from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";
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

describe("HTTP server dying mid-call", () => {
  // Deno's fetch opens a new connection itself when one closes before the answer, and reports
  // only that attempt's refused connection: the drop never reaches ordo there.
  const onDeno = "Deno" in globalThis;
  // A command that starts running, then a server that dies with its connections: the request was
  // sent, so the other side may have run it, whatever the retries meet after.
  async function dyingServer(): Promise<
    { url: string; running: Promise<void>; kill: () => Promise<void>; close: () => void }
  > {
    const inner = createInProcessTransport({ logger: silentLogger });
    const bus = createBus({ transport: inner, logger: silentLogger });
    let started!: () => void;
    const running = new Promise<void>((resolve) => started = resolve);
    bus.handleCommand("orders/slowcmd", async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 60_000).unref?.());
    });
    const handler = createHttpHandler({ transport: inner, auth: { bearer: TOKEN } });
    const sockets = new Set<Socket>();
    const server = createServer(createNodeRequestListener(handler));
    server.on("connection", (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kill = async () => {
      // The server dies: its listener stops and its connections drop.
      const stopped = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await stopped;
    };
    return { url, running, kill, close: () => void handler.close() };
  }

  /** A client's sendAndWait to a server that dies while the command runs, and how it ended. */
  async function callWhileDying(
    circuitBreaker: false | { failureThreshold: number; coolDown: number },
  ): Promise<{ error: unknown; client: ReturnType<typeof createBus>; close: () => Promise<void> }> {
    const server = await dyingServer();
    const client = createBus({
      transport: createHttpTransport({ url: server.url, auth: { bearer: TOKEN } }),
      retry: { maxAttempts: 3, initialDelay: 1 },
      circuitBreaker,
      logger: silentLogger,
    });
    const call = client.sendAndWait({ type: "orders/slowcmd", data: {} });
    await server.running;
    await server.kill();
    const error = await call.then(() => undefined, (e: unknown) => e);
    return { error, client, close: async () => (await client.close(), server.close()) };
  }

  it(
    "sendAndWait() says the connection dropped after the request was sent, then what the retries met",
    {
      skip: onDeno && "Deno's fetch hides the drop behind its own reconnection",
    },
    async () => {
      const { error, close } = await callWhileDying(false);
      assert.ok(error instanceof PeerUnreachableError, `got ${error}`);
      assert.equal(error.requestSent, true);
      assert.match(
        error.message,
        /: the connection dropped after the request was sent \(the server may have run it\): .*; then: /,
      );
      await close();
    },
  );

  it(
    "when the breaker opens during the retries, its CircuitOpenError still says the request was sent",
    {
      skip: onDeno && "Deno's fetch hides the drop behind its own reconnection",
    },
    async () => {
      // The drop opens the breaker: the retry is refused without a request.
      const { error, client, close } = await callWhileDying({
        failureThreshold: 1,
        coolDown: 60_000,
      });
      assert.ok(error instanceof CircuitOpenError, `got ${error}`);
      assert.equal(error.requestSent, true);
      assert.match(
        error.message,
        /; before it opened, an earlier attempt: the connection dropped after the request was sent \(the server may have run it\)/,
      );
      // A call refused by the open breaker with nothing sent before says nothing of the kind.
      const refused = await client.query("orders/show", 1).catch((error: unknown) => error);
      assert.ok(refused instanceof CircuitOpenError && !refused.requestSent, `got ${refused}`);
      assert.doesNotMatch(refused.message, /earlier attempt/);
      await close();
    },
  );

  it("an open breaker's CircuitOpenError names the server and the failure that opened it", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const client = createBus({
      transport: createHttpTransport({ url, auth: { bearer: TOKEN } }),
      retry: false,
      circuitBreaker: { failureThreshold: 1, coolDown: 60_000 },
      logger: silentLogger,
    });
    const first = await client.query("orders/show", 1).catch((error: unknown) => error);
    assert.ok(first instanceof PeerUnreachableError);
    await assert.rejects(client.query("orders/show", 1), (error: unknown) => {
      assert.ok(error instanceof CircuitOpenError, `got ${error}`);
      assert.equal(error.guards, url);
      assert.equal(error.cause, first);
      assert.ok(
        error.message.startsWith(
          `Circuit breaker open during query "orders/show" (guarding ${url}): next trial in `,
        ),
      );
      assert.ok(error.message.endsWith(`; it opened on: ${first.message}`), error.message);
      return true;
    });
    await client.close();
  });
});
