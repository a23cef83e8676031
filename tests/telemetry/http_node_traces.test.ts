// A traced HTTP handler served by node:http through the node adapter (the
// path that hands the handler the request's parts, not a Web Request): the
// calls it answers carry their bodies and the caller's trace through the
// server span, as over the handler's fetch.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createBus, silentLogger } from "../../mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { KIND, OtelHarness } from "./_otel.ts";
import { assertChild, ERROR } from "./_span_asserts.ts";

describe("a traced HTTP handler on node:http", () => {
  const otel = new OtelHarness();
  const inner = createInProcessTransport();
  createBus({ transport: inner }).handleQuery(
    "orders/show",
    (payload) => {
      const { orderId } = payload as { orderId: string };
      if (orderId === "broken") throw new Error("db down");
      return { orderId, total: 3 };
    },
  );
  createBus({ transport: inner }).handleCommand("orders/place", () => {});
  const handler = createHttpHandler({
    transport: inner,
    auth: { none: true },
    telemetry: otel.telemetry,
    logger: silentLogger,
  });
  const server: Server = createServer(createNodeRequestListener(handler));
  let url = "";
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await handler.close();
    await inner.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers a query with its payload read from the body, its server span the client's child", async () => {
    const bus = createBus({
      transport: createHttpTransport({ url, auth: { none: true }, telemetry: otel.telemetry }),
    });
    try {
      assert.deepEqual(await bus.query("orders/show", { orderId: "o-7" }), {
        orderId: "o-7",
        total: 3,
      });
      await bus.send({ type: "orders/place", data: { orderId: "o-8" } });
    } finally {
      await bus.close();
    }
    const client = otel.one("query orders/show");
    const serverSpan = otel.spans().find((span) =>
      span.kind === KIND.server && span.attributes["url.path"] === "/queries/orders/show"
    );
    assert.ok(serverSpan, `a server span for the query among ${otel.spans().map((s) => s.name)}`);
    assertChild(serverSpan, client);
    assert.equal(serverSpan.attributes["http.response.status_code"], 200);
  });

  it("marks a 5xx answer's server span as an error and leaves a 4xx one unset", async () => {
    const bus = createBus({
      transport: createHttpTransport({ url, auth: { none: true }, telemetry: otel.telemetry }),
    });
    try {
      await assert.rejects(bus.query("orders/show", { orderId: "broken" }));
      await assert.rejects(bus.query("orders/nobody", {}));
    } finally {
      await bus.close();
    }
    const serverSpan = (path: string, status: number) => {
      const span = otel.spans().find((s) =>
        s.kind === KIND.server && s.attributes["url.path"] === path &&
        s.attributes["http.response.status_code"] === status
      );
      assert.ok(span, `a server span for ${path} among ${otel.spans().map((s) => s.name)}`);
      return span;
    };
    const failed = serverSpan("/queries/orders/show", 500);
    assert.equal(failed.status, ERROR);
    assert.equal(failed.attributes["error.type"], "500");
    assert.deepEqual(failed.events, [], "no exception: the handler's span records the error");
    const refused = serverSpan("/queries/orders/nobody", 404);
    assert.equal(refused.status, 0, "unset");
    assert.equal(refused.attributes["error.type"], undefined);
  });
});
