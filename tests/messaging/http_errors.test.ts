// Error mapping of the HTTP transport, end to end over a real node:http
// server: every ordo error tag gets its status and comes back to the client
// as the same class with the same fields and message; a handler's own error
// is logged with an error id and comes back as a ServerError naming only that
// id; what cannot reach the server (or meets a proxy's 502/503/504) is a
// PeerUnreachableError naming the URL, which the bus retries; the bus retries
// exactly the retryable tags.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  CircuitOpenError,
  ClosedError,
  ConcurrencyError,
  createConsoleLogger,
  DuplicateMessageError,
  ForbiddenError,
  IdempotencyConflictError,
  isRetryable,
  NotFoundError,
  NotMigratedError,
  OrdoError,
  PeerUnreachableError,
  ServerError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedRuntimeError,
  ValidationError,
} from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import {
  createHttpHandler,
  createHttpTransport,
  errorBody,
  errorFromBody,
  STATUS_BY_TAG,
} from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import { silentLogger } from "../../core/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { type RunningServer, startHttpServer, TOKEN } from "./_http_fixture.ts";

const ID = "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a";

/** Each case: the error a handler throws, the status it must get, and the fields that must come back. */
const CASES: { error: () => OrdoError; status: number; fields: Record<string, unknown> }[] = [
  {
    error: () => new ValidationError("query.payload.sku", "x-1", "must be a known SKU"),
    status: 400,
    fields: { path: "query.payload.sku", value: "x-1", reason: "must be a known SKU" },
  },
  {
    error: () => new UnauthenticatedError("Bearer", "the inventory service refused our token"),
    status: 401,
    fields: { scheme: "Bearer", reason: "the inventory service refused our token" },
  },
  {
    error: () => new ForbiddenError("send", "stock/adjust", "orders"),
    status: 403,
    fields: { action: "send", target: "stock/adjust", credential: "orders" },
  },
  {
    error: () => new NotFoundError("query", "stock/level", "no handler is registered for it"),
    status: 404,
    fields: { kind: "query", target: "stock/level" },
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
    error: () => new IdempotencyConflictError(ID, "stock/reserve"),
    status: 409,
    fields: { messageId: ID, messageType: "stock/reserve" },
  },
  {
    error: () => new ServerError('query "stock/level"', "0f1e2d3c-4b5a-4697-8877-665544332211"),
    status: 500,
    fields: { operation: 'query "stock/level"', errorId: "0f1e2d3c-4b5a-4697-8877-665544332211" },
  },
  {
    error: () => new UnsupportedRuntimeError("workerd", "a PostgreSQL driver", "no TCP sockets"),
    status: 501,
    fields: { runtime: "workerd", feature: "a PostgreSQL driver" },
  },
  {
    error: () => new PeerUnreachableError('query "stock/level"', "http://stock:8080", "refused"),
    status: 502,
    fields: { operation: 'query "stock/level"', peer: "http://stock:8080" },
  },
  {
    error: () => new StoreUnavailableError("append", "connection refused"),
    status: 503,
    fields: { operation: "append" },
  },
  {
    error: () => new CircuitOpenError('query "stock/level"', 2_300),
    status: 503,
    fields: { operation: 'query "stock/level"', retryAfter: 2_300 },
  },
  {
    error: () => new ClosedError("store", 'read stream "stock-1"'),
    status: 503,
    fields: { component: "store", operation: 'read stream "stock-1"' },
  },
  {
    error: () =>
      new NotMigratedError("stock", "relation does not exist", {
        foundVersion: 3,
        requiredVersion: 5,
      }),
    status: 503,
    fields: { schema: "stock", foundVersion: 3, requiredVersion: 5 },
  },
  {
    error: () => new TimeoutError('query "stock/level"', 250),
    status: 504,
    fields: { operation: 'query "stock/level"', timeoutMs: 250 },
  },
];

describe("HTTP transport error mapping", () => {
  let server: RunningServer;
  let failure: () => unknown = () => undefined;
  let queryCalls = 0;
  const logged: string[] = [];
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
      logger: createConsoleLogger({ write: (line) => logged.push(line) }),
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
      // Breakers open here on purpose; the logging tests assert that line.
      logger: silentLogger,
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

  it("the status table gives every tag one status", () => {
    const tags = new Set(CASES.map((c) => c.error()._tag));
    assert.deepEqual([...tags].sort(), Object.keys(STATUS_BY_TAG).sort());
    for (const { error, status } of CASES) assert.equal(STATUS_BY_TAG[error()._tag], status);
  });

  it("an open circuit breaker's error is answered with 503 and a Retry-After in whole seconds, from its retryAfter field", async () => {
    failure = () => new CircuitOpenError('query "stock/level"', 2_300);
    const response = await raw("/queries/orders/fail", {});
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "3");
    const body = await response.json();
    assert.equal(body._tag, "CircuitOpenError");
    assert.equal(body.retryAfter, 2300);
  });

  it("a handler's own error is answered with 500 and a ServerError naming an error id, logged on the server with its message", async () => {
    failure = () => new RangeError("only 2 left in stock");
    logged.length = 0;
    const response = await raw("/queries/orders/fail", {});
    assert.equal(response.status, 500);
    const body = await response.json();
    assert.equal(body._tag, "ServerError");
    assert.equal(body.operation, 'query "orders/fail"');
    assert.match(body.errorId, /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(JSON.stringify(body), /only 2 left|RangeError/);
    assert.equal(logged.length, 1);
    assert.match(
      logged[0],
      new RegExp(`^ordo error: HTTP request failed errorId="${body.errorId}"`),
    );
    assert.match(logged[0], /error="RangeError: only 2 left in stock"/);
    const bus = client();
    await assert.rejects(
      bus.query("orders/fail", {}),
      (e) =>
        e instanceof ServerError && typeof e.errorId === "string" &&
        !e.message.includes("only 2 left"),
    );
    failure = () => "a thrown string";
    await assert.rejects(bus.query("orders/fail", {}), ServerError);
    await bus.close();
  });

  it("an unknown query is answered with 404 and a NotFoundError naming it", async () => {
    const response = await raw("/queries/orders/nobody", {});
    assert.equal(response.status, 404);
    const body = await response.json();
    assert.equal(body._tag, "NotFoundError");
    assert.equal(body.kind, "query");
    assert.equal(body.target, "orders/nobody");
  });

  it("a command or query outside the allow list is answered with 404, and the client gets a NotFoundError", async () => {
    for (const path of ["/commands/orders/cancel", "/queries/orders/list"]) {
      const response = await raw(path, { id: ID, data: {} });
      assert.equal(response.status, 404, path);
      assert.match((await response.json()).message, /is not exposed over HTTP/);
    }
    const bus = client();
    await assert.rejects(
      bus.send({ type: "orders/cancel", data: {} }),
      (e) => e instanceof NotFoundError && e.kind === "command" && e.target === "orders/cancel",
    );
    assert.equal(await bus.sendAndWait({ type: "orders/place", data: {} }), "placed");
    await bus.close();
  });

  it("a command the server does not serve is answered with 404, not accepted with 202", async () => {
    const open = createInProcessTransport();
    createBus({ transport: open }).handleCommand("orders/place", () => "placed");
    const own = await startHttpServer(
      createHttpHandler({ transport: open, auth: { bearer: TOKEN } }),
    );
    for (const prefer of [{}, { prefer: "wait" }] as Record<string, string>[]) {
      const response = await fetch(`${own.url}/commands/orders/plaec`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, ...prefer },
        body: JSON.stringify({ id: crypto.randomUUID(), data: {} }),
      });
      assert.equal(response.status, 404);
      const body = await response.json();
      assert.equal(body._tag, "NotFoundError");
      assert.equal(body.target, "orders/plaec");
    }
    const served = await fetch(`${own.url}/commands/orders/place`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ id: crypto.randomUUID(), data: {} }),
    });
    assert.equal(served.status, 202);
    await served.body?.cancel();
    await own.close();
    await open.close();
  });

  it("over the store-backed transport too, a command no handler serves here is 404; one the allow list names is accepted (its handler may run elsewhere)", async () => {
    const store = createMemoryStore({ logger: silentLogger });
    const transport = createStoreBackedTransport(store, { storage: createMemoryConsumerStorage() });
    const place = createBus({ transport }).handleCommand("orders/place", () => "placed");
    const post = (url: string, name: string) =>
      fetch(`${url}/commands/${name}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ id: crypto.randomUUID(), data: {} }),
      });
    const open = await startHttpServer(
      createHttpHandler({ transport, auth: { bearer: TOKEN }, logger: silentLogger }),
    );
    const listed = await startHttpServer(
      createHttpHandler({
        transport,
        auth: { bearer: TOKEN },
        allow: { commands: ["orders/place", "orders/cancel"] },
        logger: silentLogger,
      }),
    );
    try {
      const unserved = await post(open.url, "orders/cancel");
      assert.equal(unserved.status, 404);
      const body = await unserved.json();
      assert.equal(body._tag, "NotFoundError");
      assert.equal(body.target, "orders/cancel");
      assert.equal(
        (await store.readCategory("orders:command").toArray()).length,
        0,
        "nothing was stored",
      );
      const served = await post(open.url, "orders/place");
      assert.equal(served.status, 202);
      await served.body?.cancel();
      const elsewhere = await post(listed.url, "orders/cancel");
      assert.equal(elsewhere.status, 202);
      await elsewhere.body?.cancel();
      await place.stop();
      const stopped = await post(open.url, "orders/place");
      assert.equal(stopped.status, 404, "a stopped handler serves nothing");
      await stopped.body?.cancel();
    } finally {
      await open.close();
      await listed.close();
      await transport.close();
    }
  });

  it("a handler's error of any tag is its answer (answered: true; not retried, not counted); the server's own is retried and counted by exactly the retryable tags", async () => {
    const guarded = { retry: { maxAttempts: 3, initialDelay: 1 } } as const;
    for (const { error } of CASES) {
      const sample = error();
      // Thrown by the handler: the server's body says so, and the bus takes it as the answer it is.
      failure = error;
      const body = await (await raw("/queries/orders/fail", { payload: {} })).json();
      assert.equal(body.answered, true, sample._tag);
      const bus = client({ ...guarded, circuitBreaker: { failureThreshold: 1, coolDown: 60_000 } });
      queryCalls = 0;
      await assert.rejects(
        bus.query("orders/fail", {}),
        (e) => (e as OrdoError)._tag === sample._tag,
      );
      assert.equal(queryCalls, 1, sample._tag);
      assert.equal(bus.circuitBreaker?.state, "closed", sample._tag);
      await bus.close();
      // The same error as the server's own failure (no "answered"): retried if its tag is retryable.
      let attempts = 0;
      const own = createBus({
        transport: createHttpTransport({
          url: server.url,
          auth: { bearer: TOKEN },
          fetch: () => {
            attempts++;
            return Promise.resolve(
              new Response(JSON.stringify(errorBody(sample)), {
                status: STATUS_BY_TAG[sample._tag],
                headers: { "content-type": "application/json" },
              }),
            );
          },
        }),
        ...guarded,
        circuitBreaker: { failureThreshold: 3, coolDown: 60_000 },
        logger: silentLogger,
      });
      // The server's own ClosedError says it is shutting down: a peer to retry, not a closed client.
      const closed = sample._tag === "ClosedError";
      const retried = isRetryable(sample) || closed;
      await assert.rejects(
        own.query("orders/fail", {}),
        (e) => (e as OrdoError)._tag === (closed ? "PeerUnreachableError" : sample._tag),
      );
      assert.equal(attempts, retried ? 3 : 1, sample._tag);
      assert.equal(own.circuitBreaker?.state, retried ? "open" : "closed", sample._tag);
      await own.close();
    }
    assert.deepEqual(
      CASES.map((c) => c.error()).filter(isRetryable).map((e) => e._tag).sort(),
      ["PeerUnreachableError", "StoreUnavailableError", "TimeoutError"],
    );
  });

  it("a server that cannot be reached is a PeerUnreachableError naming the URL, retried by the bus and counted by its breaker", async () => {
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
      logger: silentLogger,
    });
    await assert.rejects(
      bus.query("orders/show", {}),
      (e) =>
        e instanceof PeerUnreachableError && e.peer === `${url}/queries/orders/show` &&
        e.operation === 'query "orders/show"' && !(e instanceof StoreUnavailableError) &&
        e.message.startsWith(`Cannot reach "${url}/queries/orders/show"`) &&
        // Why, in every runtime's words: not a bare "fetch failed".
        /refused/i.test(e.message),
    );
    assert.equal(attempts, 3);
    assert.equal(bus.circuitBreaker?.state, "open");
    await assert.rejects(
      bus.query("orders/show", {}),
      (e) => e instanceof CircuitOpenError && e.retryAfter > 0,
    );
    await bus.close();
  });

  it("a fetch failure says its cause: the code when it has one, else the cause's message", async () => {
    const failures: [unknown, RegExp][] = [
      [
        new TypeError("fetch failed", {
          cause: new Error("tcp connect error: Connection refused"),
        }),
        /: fetch failed: tcp connect error: Connection refused$/,
      ],
      [
        new TypeError("fetch failed", { cause: new Error("bad port") }),
        /: fetch failed: bad port$/,
      ],
      [
        new TypeError("fetch failed", {
          cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
            code: "ECONNREFUSED",
          }),
        }),
        /: fetch failed \(ECONNREFUSED\)$/,
      ],
      [
        new TypeError("Fetch failed: Requests to port 9 are blocked"),
        /: Fetch failed: Requests to port 9 are blocked$/,
      ],
    ];
    for (const [failure, message] of failures) {
      const bus = createBus({
        transport: createHttpTransport({
          url: "http://orders.internal",
          auth: { bearer: TOKEN },
          fetch: () => Promise.reject(failure),
        }),
        retry: false,
        logger: silentLogger,
      });
      await assert.rejects(
        bus.query("orders/show", {}),
        (e) => e instanceof PeerUnreachableError && message.test(e.message),
        String(message),
      );
      await bus.close();
    }
    // A port fetch refuses to call (9, "discard") is named as such on every runtime.
    const blocked = createBus({
      transport: createHttpTransport({ url: "http://127.0.0.1:9", auth: { bearer: TOKEN } }),
      retry: false,
      logger: silentLogger,
    });
    await assert.rejects(
      blocked.query("orders/show", {}),
      (e) => e instanceof PeerUnreachableError && /bad port|blocked|refused/i.test(e.message),
    );
    await blocked.close();
  });

  it("a proxy's 502, 503 or 504 without an ordo body is a PeerUnreachableError; an ordo TimeoutError body stays a TimeoutError; 401, 403 and 404 keep their tags", async () => {
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
        (e) =>
          e instanceof PeerUnreachableError && e.message.includes(`HTTP ${status}`) &&
          e.peer === `${url}/queries/orders/show`,
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
    assert.equal(attempts, 2, "a TimeoutError is retryable");
    const tags: [number, string][] = [
      [401, "UnauthenticatedError"],
      [403, "ForbiddenError"],
      [404, "NotFoundError"],
      [500, "ServerError"],
      [418, "ValidationError"],
    ];
    body = "nope";
    for (const [code, tag] of tags) {
      status = code;
      attempts = 0;
      await assert.rejects(bus.query("orders/show", {}), (e) => (e as OrdoError)._tag === tag);
      assert.equal(attempts, 1, `HTTP ${code} is not retried`);
    }
    await bus.close();
    proxy.closeAllConnections?.();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it("a server that answers with a redirect is a PeerUnreachableError saying so, and the call is not resent to where it points", async () => {
    let reached = 0;
    const target = createServer((_req, res) => {
      reached++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    let status = 307;
    const redirecting = createServer((req, res) =>
      res.writeHead(status, { location: `${targetUrl}${req.url}` }).end()
    );
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
    const bus = createBus({
      transport: createHttpTransport({ url, auth: { bearer: TOKEN } }),
      retry: false,
      circuitBreaker: false,
    });
    try {
      for (status of [301, 302, 307, 308]) {
        await assert.rejects(
          bus.query("orders/show", {}),
          (e) =>
            e instanceof PeerUnreachableError && e.peer === `${url}/queries/orders/show` &&
            e.message.includes("the server answered with a redirect") &&
            e.message.includes("set the transport's url"),
          `HTTP ${status}`,
        );
      }
      assert.equal(reached, 0, "no call was resent to the redirect's target");
    } finally {
      await bus.close();
      for (const server of [redirecting, target]) {
        server.closeAllConnections?.();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  it("property: every error body reads back into the same class with the same fields and message", () => {
    const text = fc.string({ maxLength: 30 });
    const count = fc.nat(100_000);
    const version = fc.oneof(
      fc.nat(1000),
      fc.constantFrom("no-stream" as const, "exists" as const, "any" as const),
    );
    const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
    const made = <F extends Record<string, unknown>>(
      fields: fc.Arbitrary<F>,
      make: (f: F) => OrdoError,
      shown: (f: F) => Record<string, unknown> = (f) => f,
    ) => fields.map((f) => ({ error: make(f), fields: shown(f) }));
    const errors = fc.oneof(
      made(
        fc.record({
          path: text,
          value: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
          reason: text,
        }),
        (f) => new ValidationError(f.path, f.value, f.reason),
      ),
      made(
        fc.record({ scheme: text, reason: text }),
        (f) => new UnauthenticatedError(f.scheme, f.reason),
      ),
      made(
        fc.record({
          action: fc.constantFrom("send" as const, "query" as const, "subscribe" as const),
          target: text,
          credential: maybe(text),
        }),
        (f) => new ForbiddenError(f.action, f.target, f.credential),
      ),
      made(
        fc.record({ kind: fc.constantFrom("command" as const, "query" as const), target: text }),
        (f) => new NotFoundError(f.kind, f.target, "gone"),
      ),
      made(
        fc.record({
          streamName: text,
          expectedVersion: version,
          actualVersion: maybe(fc.nat(1000)),
        }),
        (f) => new ConcurrencyError(f.streamName, f.expectedVersion, f.actualVersion),
      ),
      made(
        fc.record({
          streamName: text,
          messageId: fc.uuid(),
          storedStreamName: text,
          storedVersion: fc.nat(1000),
        }),
        (f) =>
          new DuplicateMessageError(f.streamName, f.messageId, f.storedStreamName, f.storedVersion),
      ),
      made(
        fc.record({ messageId: fc.uuid(), messageType: text }),
        (f) => new IdempotencyConflictError(f.messageId, f.messageType),
      ),
      made(
        fc.record({ operation: text, errorId: maybe(fc.uuid()) }),
        (f) => new ServerError(f.operation, f.errorId),
      ),
      made(
        fc.record({ runtime: text, feature: text }),
        (f) => new UnsupportedRuntimeError(f.runtime, f.feature, "no"),
      ),
      made(
        fc.record({ operation: text, peer: text }),
        (f) => new PeerUnreachableError(f.operation, f.peer, "refused"),
      ),
      made(
        fc.record({ operation: text, detail: text }),
        (f) => new StoreUnavailableError(f.operation, f.detail),
        (f) => ({ operation: f.operation }),
      ),
      made(
        fc.record({ operation: text, retryAfter: count }),
        (f) => new CircuitOpenError(f.operation, f.retryAfter),
      ),
      made(
        fc.record({ component: text, operation: text }),
        (f) => new ClosedError(f.component, f.operation),
      ),
      made(
        fc.record({
          schema: text,
          foundVersion: maybe(fc.nat(50)),
          requiredVersion: maybe(fc.nat(50)),
        }),
        (f) =>
          new NotMigratedError(f.schema, "detail", {
            foundVersion: f.foundVersion,
            requiredVersion: f.requiredVersion,
          }),
      ),
      made(
        fc.record({ operation: text, timeoutMs: count }),
        (f) => new TimeoutError(f.operation, f.timeoutMs),
      ),
    );
    fc.assert(
      fc.property(errors, ({ error, fields }) => {
        const back = errorFromBody(JSON.parse(JSON.stringify(errorBody(error))));
        assert.ok(back instanceof (error.constructor as typeof Error));
        assert.equal(back._tag, error._tag);
        assert.equal(back.message, error.message);
        for (const [field, value] of Object.entries(fields)) {
          assert.deepEqual((back as unknown as Record<string, unknown>)[field], value, field);
        }
      }),
      propertyParameters(500),
    );
  });
});
