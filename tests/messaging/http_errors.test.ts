// Error mapping of the HTTP transport, end to end over a real node:http
// server: every ordo error tag gets its status and comes back to the client
// as the same class with the same fields and message; a handler's own error
// comes back with its name and message; what cannot reach the server (or
// meets a proxy's 502/503/504) is StoreUnavailableError, which the bus retries.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  ConcurrencyError,
  DuplicateMessageError,
  OrdoError,
  StoreUnavailableError,
  TimeoutError,
  UnsupportedRuntimeError,
  ValidationError,
} from "../../core/mod.ts";
import { circuitOpenError, createBus } from "../../core/messaging/mod.ts";
import {
  createHttpHandler,
  createHttpTransport,
  errorBody,
  errorFromBody,
} from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { type RunningServer, startHttpServer, TOKEN } from "./_http_fixture.ts";

const ID = "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a";

/** Each case: the error a handler throws, the status it must get, and the fields that must come back. */
const CASES: { error: () => unknown; status: number; fields: Record<string, unknown> }[] = [
  {
    error: () => new ValidationError("query.payload.sku", "x-1", "must be a known SKU"),
    status: 400,
    fields: { path: "query.payload.sku", value: "x-1", reason: "must be a known SKU" },
  },
  {
    error: () => new ConcurrencyError("order-1", 3, 5),
    status: 409,
    fields: { streamName: "order-1", expectedVersion: 3, actualVersion: 5 },
  },
  {
    error: () => new ConcurrencyError("order-2", "no-stream", undefined),
    status: 409,
    fields: { streamName: "order-2", expectedVersion: "no-stream", actualVersion: undefined },
  },
  {
    error: () => new DuplicateMessageError("order-2", ID, "order-1", 0),
    status: 409,
    fields: { streamName: "order-2", messageId: ID, storedStreamName: "order-1", storedVersion: 0 },
  },
  {
    error: () => new StoreUnavailableError("append", "connection refused"),
    status: 503,
    fields: { operation: "append" },
  },
  {
    error: () => new TimeoutError('query "stock/level"', 250),
    status: 504,
    fields: { operation: 'query "stock/level"', timeoutMs: 250 },
  },
  {
    error: () => new UnsupportedRuntimeError("workerd", "a PostgreSQL driver", "no TCP sockets"),
    status: 501,
    fields: { runtime: "workerd", feature: "a PostgreSQL driver" },
  },
];

describe("HTTP transport error mapping", () => {
  let server: RunningServer;
  let failure: () => unknown = () => undefined;
  let queryCalls = 0;
  const transport = createInProcessTransport();

  before(async () => {
    const bus = createBus({ transport });
    bus.handleQuery("orders/fail", () => {
      queryCalls++;
      throw failure();
    });
    bus.handleQuery("orders/show", () => "shown");
    bus.handleCommand("orders/place", () => "placed");
    server = await startHttpServer(createHttpHandler({
      transport,
      auth: { bearer: TOKEN },
      allow: {
        commands: ["orders/place"],
        queries: ["orders/fail", "orders/show", "orders/nobody"],
      },
    }));
  });
  after(() => server.close());

  const raw = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
  const client = (options: Partial<Parameters<typeof createBus>[0]> = {}) =>
    createBus({
      transport: createHttpTransport({ url: server.url, auth: { bearer: TOKEN } }),
      retry: false,
      circuitBreaker: false,
      ...options,
    });

  for (const { error, status, fields } of CASES) {
    const sample = error() as OrdoError;
    it(`a handler's ${sample._tag} (${sample.message}) is answered with ${status} and comes back as the same error`, async () => {
      failure = error;
      const response = await raw("/queries/orders/fail", { payload: {} });
      assert.equal(response.status, status);
      const body = await response.json();
      assert.equal(body._tag, sample._tag);
      assert.equal(body.message, sample.message);
      const bus = client();
      const rejected: OrdoError & Record<string, unknown> = await bus.query("orders/fail", {}).then(
        () => assert.fail("expected a rejection"),
        (e) => e,
      );
      await bus.close();
      assert.ok(
        rejected instanceof (sample.constructor as typeof Error),
        `instanceof ${sample.name}`,
      );
      assert.ok(rejected instanceof OrdoError);
      assert.equal(rejected._tag, sample._tag);
      assert.equal(rejected.message, sample.message);
      for (const [field, value] of Object.entries(fields)) {
        assert.deepEqual(rejected[field], value, field);
      }
    });
  }

  it("an open circuit breaker's error is answered with 503 and a Retry-After in whole seconds", async () => {
    failure = () => circuitOpenError('query "stock/level"', 2_300);
    const response = await raw("/queries/orders/fail", {});
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "3");
    const body = await response.json();
    assert.equal(body._tag, "StoreUnavailableError");
    assert.equal(body.retryAfter, 2300);
  });

  it("a handler's own error is answered with 500 { name, message } and comes back with that name and message", async () => {
    failure = () => new RangeError("only 2 left in stock");
    const response = await raw("/queries/orders/fail", {});
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), {
      name: "RangeError",
      message: "only 2 left in stock",
    });
    const bus = client();
    await assert.rejects(
      bus.query("orders/fail", {}),
      (e) =>
        e instanceof Error && !(e instanceof OrdoError) && e.name === "RangeError" &&
        e.message === "only 2 left in stock",
    );
    failure = () => "a thrown string";
    await assert.rejects(
      bus.query("orders/fail", {}),
      (e) => e instanceof Error && e.message === "a thrown string",
    );
    await bus.close();
  });

  it("an unknown query is answered with 404 and a ValidationError body naming it", async () => {
    const response = await raw("/queries/orders/nobody", {});
    assert.equal(response.status, 404);
    const body = await response.json();
    assert.equal(body._tag, "ValidationError");
    assert.equal(body.path, "query");
    assert.equal(body.value, "orders/nobody");
  });

  it("a command or query outside the allow list is answered with 404, and the client gets a ValidationError", async () => {
    for (const path of ["/commands/orders/cancel", "/queries/orders/list"]) {
      const response = await raw(path, { id: ID, data: {} });
      assert.equal(response.status, 404, path);
      assert.match((await response.json()).message, /is not exposed over HTTP/);
    }
    const bus = client();
    await assert.rejects(
      bus.send({ type: "orders/cancel", data: {} }),
      (e) => e instanceof ValidationError && e.value === "orders/cancel",
    );
    assert.equal(await bus.sendAndWait({ type: "orders/place", data: {} }), "placed");
    await bus.close();
  });

  it("the bus does not retry a refusal, and retries a 503 until it succeeds", async () => {
    const bus = client({ retry: { maxAttempts: 3, initialDelay: 1 } });
    failure = () => new ValidationError("query.payload", 1, "nope");
    queryCalls = 0;
    await assert.rejects(bus.query("orders/fail", {}), ValidationError);
    assert.equal(queryCalls, 1);
    let unavailable = 2;
    failure =
      () => (unavailable-- > 0
        ? new StoreUnavailableError("read", "connection reset")
        : new ConcurrencyError("order-1", 0, 1));
    queryCalls = 0;
    await assert.rejects(bus.query("orders/fail", {}), ConcurrencyError);
    assert.equal(queryCalls, 3);
    await bus.close();
  });

  it("a server that cannot be reached is a StoreUnavailableError, retried by the bus and counted by its breaker", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    let attempts = 0;
    const bus = createBus({
      transport: createHttpTransport({
        url,
        auth: { bearer: TOKEN },
        fetch: (u, init) => (attempts++, fetch(u, init)),
      }),
      retry: { maxAttempts: 3, initialDelay: 1 },
      circuitBreaker: { failureThreshold: 3 },
    });
    await assert.rejects(
      bus.query("orders/show", {}),
      (e) => e instanceof StoreUnavailableError && /cannot reach/.test(e.message),
    );
    assert.equal(attempts, 3);
    assert.equal(bus.circuitBreaker?.state, "open");
    await bus.close();
  });

  it("a proxy's 502, 503 or 504 without an ordo body is a StoreUnavailableError; an ordo TimeoutError body stays a TimeoutError", async () => {
    let status = 502;
    let body = "<html>Bad Gateway</html>";
    const proxy = createServer((_req, res) =>
      res.writeHead(status, { "content-type": "text/html" }).end(body)
    );
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    let attempts = 0;
    const bus = createBus({
      transport: createHttpTransport({
        url,
        auth: { bearer: TOKEN },
        fetch: (u, init) => (attempts++, fetch(u, init)),
      }),
      retry: { maxAttempts: 2, initialDelay: 1 },
      circuitBreaker: false,
    });
    for (status of [502, 503, 504]) {
      attempts = 0;
      await assert.rejects(
        bus.query("orders/show", {}),
        (e) => e instanceof StoreUnavailableError && e.message.includes(`HTTP ${status}`),
      );
      assert.equal(attempts, 2, `HTTP ${status} is retried`);
    }
    status = 504;
    body = JSON.stringify(errorBody(new TimeoutError("inventory", 100)));
    attempts = 0;
    await assert.rejects(
      bus.query("orders/show", {}),
      (e) => e instanceof TimeoutError && e.timeoutMs === 100,
    );
    assert.equal(attempts, 1);
    await bus.close();
    proxy.closeAllConnections?.();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it("property: every error body reads back into the same class with the same fields and message", () => {
    const text = fc.string({ maxLength: 30 });
    const version = fc.oneof(
      fc.nat(1000),
      fc.constantFrom("no-stream" as const, "exists" as const, "any" as const),
    );
    const errors = fc.oneof(
      fc.record({
        path: text,
        value: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
        reason: text,
      })
        .map((f) => ({ error: new ValidationError(f.path, f.value, f.reason), fields: f })),
      fc.record({
        streamName: text,
        expectedVersion: version,
        actualVersion: fc.option(fc.nat(1000), { nil: undefined }),
      })
        .map((f) => ({
          error: new ConcurrencyError(f.streamName, f.expectedVersion, f.actualVersion),
          fields: f,
        })),
      fc.record({
        streamName: text,
        messageId: fc.uuid(),
        storedStreamName: text,
        storedVersion: fc.nat(1000),
      })
        .map((f) => ({
          error: new DuplicateMessageError(
            f.streamName,
            f.messageId,
            f.storedStreamName,
            f.storedVersion,
          ),
          fields: f,
        })),
      fc.record({ operation: text, detail: text })
        .map((f) => ({
          error: new StoreUnavailableError(f.operation, f.detail),
          fields: { operation: f.operation },
        })),
      fc.record({ operation: text, timeoutMs: fc.nat(100_000) })
        .map((f) => ({ error: new TimeoutError(f.operation, f.timeoutMs), fields: f })),
      fc.record({ runtime: text, feature: text, reason: text })
        .map((f) => ({
          error: new UnsupportedRuntimeError(f.runtime, f.feature, f.reason),
          fields: { runtime: f.runtime, feature: f.feature },
        })),
    );
    fc.assert(
      fc.property(errors, ({ error, fields }) => {
        const back = errorFromBody(JSON.parse(JSON.stringify(errorBody(error))));
        assert.ok(back instanceof (error.constructor as typeof Error));
        assert.equal((back as OrdoError)._tag, error._tag);
        assert.equal(back!.message, error.message);
        for (const [field, value] of Object.entries(fields)) {
          assert.deepEqual((back as unknown as Record<string, unknown>)[field], value, field);
        }
      }),
      propertyParameters(300),
    );
  });
});
