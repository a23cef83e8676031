// What a caller learns from the HTTP server before its right is judged, over
// a real node:http server (node adapter) on each runtime:
// - a credential not allowed a route gets its 403 whatever the body or the
//   parameters hold: never a 400 that shows their expected shape (every
//   route: send, sendAndWait, query, publish, follow);
// - a query with no `Prefer: wait=<seconds>` waits no longer than the
//   handler's `queryTimeout` (504 TimeoutError), and close() does not wait
//   for the handler that still hangs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBus } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createHttpHandler } from "../../transports/http/mod.ts";
import { startHttpServer } from "./_http_fixture.ts";
import { keptLogger } from "../_kept_logger.ts";

const FULL = "token-with-every-right-01";
const NONE = "token-with-no-rights-0001";

async function serve(options: { queryTimeout?: number } = {}) {
  const logger = keptLogger();
  const inner = createInProcessTransport({ logger });
  const service = createBus({ transport: inner, logger });
  let ran = 0;
  service.handleCommand("orders/place", () => ran++);
  service.handleQuery("orders/show", () => ran++);
  const handler = createHttpHandler({
    transport: inner,
    logger,
    ...options,
    auth: {
      bearer: [
        { token: FULL, name: "full", allow: { subscribe: ["*"], publish: ["*"] } },
        { token: NONE, name: "none", allow: { commands: [], queries: [] } },
      ],
    },
  });
  const server = await startHttpServer(handler);
  return {
    service,
    server,
    handler,
    ran: () => ran,
    call: async (method: string, path: string, token: string, body?: string, prefer?: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (prefer !== undefined) headers.prefer = prefer;
      const response = await fetch(`${server.url}${path}`, { method, headers, body });
      const text = await response.text();
      if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
        return { status: response.status, body: {} as Record<string, unknown> };
      }
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    },
    close: async () => {
      await server.close();
      await service.close();
    },
  };
}

// Requests whose body or parameters are wrong, one per route.
const MALFORMED = [
  { what: "send", method: "POST", path: "/commands/orders/place", body: "{ not json" },
  { what: "send (wrong shape)", method: "POST", path: "/commands/orders/place", body: "[1]" },
  {
    what: "sendAndWait",
    method: "POST",
    path: "/commands/orders/place",
    body: '{"data":{}}',
    prefer: "wait=5",
  },
  { what: "query", method: "POST", path: "/queries/orders/show", body: '{"payloud":1}' },
  { what: "publish", method: "POST", path: "/events", body: '{"type":"not a name"}' },
  { what: "follow", method: "GET", path: "/events/stream?names=a,b&category=c" },
] as const;

describe("HTTP: what the credential may do is judged before the body and parameters", () => {
  for (const request of MALFORMED) {
    it(`${request.what}: a credential with no right gets 403, not 400; one with the right gets 400`, async () => {
      const { call, close, ran } = await serve();
      try {
        const prefer = "prefer" in request ? request.prefer : undefined;
        const body = "body" in request ? request.body : undefined;
        const refused = await call(request.method, request.path, NONE, body, prefer);
        assert.equal(refused.status, 403, JSON.stringify(refused.body));
        assert.equal(refused.body._tag, "ForbiddenError");
        // The same request with the right: the body's fault is said (the test can fail).
        const allowed = await call(request.method, request.path, FULL, body, prefer);
        assert.equal(allowed.status, 400, JSON.stringify(allowed.body));
        assert.equal(allowed.body._tag, "ValidationError");
        assert.equal(ran(), 0);
      } finally {
        await close();
      }
    });
  }
});

describe("HTTP: a query's wait is bounded by the handler's queryTimeout", () => {
  for (const prefer of [undefined, "wait", "wait=60"]) {
    it(`Prefer: ${prefer ?? "(none)"}: 504 TimeoutError at queryTimeout, and close() does not wait for the hanging handler`, async () => {
      const logger = keptLogger();
      const inner = createInProcessTransport({ logger });
      const service = createBus({ transport: inner, logger });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      service.handleQuery("slow/show", async () => {
        await released;
        return "late";
      });
      const handler = createHttpHandler({
        transport: inner,
        logger,
        auth: { bearer: FULL },
        queryTimeout: 300,
      });
      const server = await startHttpServer(handler);
      try {
        const at = performance.now();
        const headers: Record<string, string> = { authorization: `Bearer ${FULL}` };
        if (prefer !== undefined) headers.prefer = prefer;
        const response = await Promise.race([
          fetch(`${server.url}/queries/slow/show`, { method: "POST", headers }),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("no answer within 5 s")), 5_000)
          ),
        ]);
        const took = performance.now() - at;
        const body = await response.json();
        assert.equal(response.status, 504, JSON.stringify(body));
        assert.equal(body._tag, "TimeoutError");
        assert.ok(took >= 250 && took < 2_000, `answered after ${Math.round(took)} ms`);
        const closing = performance.now();
        await handler.close();
        assert.ok(performance.now() - closing < 1_000);
      } finally {
        release();
        await server.close();
        await service.close();
      }
    });
  }

  it("queryTimeout is checked: a number of milliseconds or Infinity", () => {
    const transport = createInProcessTransport();
    assert.throws(
      () => createHttpHandler({ transport, auth: { bearer: FULL }, queryTimeout: 0 }),
      /options\.queryTimeout/,
    );
    createHttpHandler({ transport, auth: { bearer: FULL }, queryTimeout: Infinity });
  });
});
