// What a caller learns from the HTTP server before its right is judged, over
// a real node:http server (node adapter) on each runtime:
// - a credential not allowed a route gets its 403 whatever the body or the
//   parameters hold: never a 400 that shows their expected shape (every
//   route: send, sendAndWait, query, publish, follow);
// - a query with no `Prefer: wait=<seconds>` waits no longer than the
//   handler's `queryTimeout` (504 TimeoutError), and close() does not wait
//   for the handler that still hangs;
// - a command or query name the server does not serve gets a 404 naming the
//   nearest names the credential may use ("did you mean"), and a name the
//   credential may not use gets 403 whether or not it exists: no name is
//   shown to a caller not allowed it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBus } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createHttpHandler, type CreateHttpHandlerOptions } from "../../transports/http/mod.ts";
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

describe("HTTP: a name the server does not serve", () => {
  const LIMITED = "token-for-orders-only-01";
  async function names(allow?: CreateHttpHandlerOptions["allow"]) {
    const inner = createInProcessTransport({ logger: keptLogger() });
    const service = createBus({ transport: inner });
    for (const name of ["orders/show", "orders/list", "users/show"]) {
      service.handleQuery(name, () => name);
    }
    for (const name of ["orders/place", "users/lock"]) service.handleCommand(name, () => name);
    const handler = createHttpHandler({
      transport: inner,
      logger: keptLogger(),
      allow,
      auth: {
        bearer: [
          FULL,
          { token: LIMITED, allow: { queries: ["orders/*"], commands: ["orders/*"] } },
        ],
      },
    });
    const server = await startHttpServer(handler);
    const post = async (path: string, token: string, body = "{}") => {
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      const answer = await response.json() as { _tag: string; message: string };
      return { status: response.status, ...answer };
    };
    return {
      post,
      close: async () => {
        await server.close();
        await service.close();
      },
    };
  }

  it("404 with the nearest registered names (a query, a command)", async () => {
    const { post, close } = await names();
    try {
      const query = await post("/queries/orders/shwo", FULL);
      assert.equal(query.status, 404, query.message);
      assert.equal(
        query.message,
        'Cannot find query "orders/shwo": no handler is registered for it on this server; did you mean "orders/show"?',
      );
      const command = await post("/commands/orders/plase", FULL, `{"id":"${crypto.randomUUID()}"}`);
      assert.equal(command.status, 404, command.message);
      assert.match(command.message, /did you mean "orders\/place"\?$/);
      // Nothing near: no hint.
      const far = await post("/queries/billing/totals", FULL);
      assert.equal(far.status, 404);
      assert.doesNotMatch(far.message, /did you mean/);
    } finally {
      await close();
    }
  });

  it("only names the credential may use are offered; a name it may not use is 403 whether it exists or not", async () => {
    const { post, close } = await names();
    try {
      // users/show is as near to "users/shwo" as orders/show is to "orders/shwo": not shown.
      const near = await post("/queries/orders/shows", LIMITED);
      assert.equal(near.status, 404, near.message);
      assert.match(near.message, /did you mean "orders\/show"\?$/);
      assert.doesNotMatch(near.message, /users/);
      for (const path of ["/queries/users/shwo", "/queries/users/show"]) {
        const refused = await post(path, LIMITED);
        assert.equal(refused.status, 403, `${path}: ${refused.message}`);
        assert.equal(refused._tag, "ForbiddenError");
      }
    } finally {
      await close();
    }
  });

  it("with an allow list: the listed names are the ones offered", async () => {
    const { post, close } = await names({ queries: ["orders/show", "users/show"] });
    try {
      const query = await post("/queries/orders/shwo", FULL);
      assert.equal(query.status, 404, query.message);
      assert.equal(
        query.message,
        'Cannot find query "orders/shwo": it is not exposed over HTTP; did you mean "orders/show"?',
      );
      // orders/list has a handler but is not listed: neither served nor offered.
      const list = await post("/queries/orders/lisst", FULL);
      assert.equal(list.status, 404);
      assert.doesNotMatch(list.message, /did you mean/);
      // A credential not allowed users/*: the same 403 for an exposed name and one that is not.
      for (const path of ["/queries/users/show", "/queries/users/nothing"]) {
        const refused = await post(path, LIMITED);
        assert.equal(refused.status, 403, `${path}: ${refused.message}`);
      }
    } finally {
      await close();
    }
  });
});
