// Requests the HTTP handler refuses, over a real node:http server: bad JSON,
// missing or unknown keys and wrong types get 400 naming them; bodies over
// the limit get 413 naming the maxBodyBytes option (announced by
// Content-Length or streamed chunked); unknown routes 404, wrong methods 405.
// Nothing reaches a handler in any of them.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { ValidationError } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { type RunningServer, startHttpServer, TOKEN } from "./_http_fixture.ts";

const ID = "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a";
const LIMIT = 2_000;

// Each check runs twice: through the node adapter's direct path, and through
// the handler's Web `fetch` (Request in, Response out), which every other runtime uses.
for (const mount of ["the node adapter", "the Web fetch handler"] as const) {
  describe(`HTTP handler request checks, through ${mount}`, () => {
    let server: RunningServer;
    let handled = 0;

    before(async () => {
      const transport = createInProcessTransport();
      const bus = createBus({ transport });
      bus.handleCommand("orders/place", () => void handled++);
      bus.handleCommand("orders/slow", () => new Promise((resolve) => setTimeout(resolve, 1_500)));
      bus.handleQuery("orders/show", () => void handled++);
      bus.subscribe("audit", ["orders/placed"], () => void handled++);
      const handler = createHttpHandler({
        transport,
        auth: { bearer: TOKEN, allow: { publish: ["*"], subscribe: ["*"] } },
        basePath: "/ordo/",
        maxBodyBytes: LIMIT,
      });
      server = await startHttpServer(
        mount === "the node adapter" ? handler : { fetch: handler.fetch, close: handler.close },
      );
    });
    after(() => server.close());

    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/ordo${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, ...headers },
        body,
      });

    async function refused(
      response: Response,
      status: number,
      path: string,
    ): Promise<Record<string, unknown>> {
      const body = await response.json();
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(body._tag, "ValidationError");
      assert.equal(body.path, path, JSON.stringify(body));
      assert.match(body.message, new RegExp(`^Invalid ${path.replace(/[.[\]]/g, "\\$&")} `));
      return body;
    }

    async function notFound(response: Response, target: string): Promise<void> {
      const body = await response.json();
      assert.equal(response.status, 404, JSON.stringify(body));
      assert.equal(body._tag, "NotFoundError");
      assert.equal(body.kind, "route");
      assert.equal(body.target, target);
    }

    const BAD: [string, string, string][] = [
      ["/commands/orders/place", "{not json", "body"],
      ["/commands/orders/place", "", "body"],
      ["/commands/orders/place", "[1, 2]", "body"],
      ["/commands/orders/place", JSON.stringify({ data: {} }), "body.id"],
      ["/commands/orders/place", JSON.stringify({ id: "not-a-uuid", data: {} }), "body.id"],
      ["/commands/orders/place", JSON.stringify({ id: ID }), "body.data"],
      ["/commands/orders/place", JSON.stringify({ id: ID, data: {}, key: 7 }), "body.key"],
      [
        "/commands/orders/place",
        JSON.stringify({ id: ID, data: {}, metadata: "x" }),
        "body.metadata",
      ],
      [
        "/commands/orders/place",
        JSON.stringify({ id: ID, data: {}, metadata: { correlationId: 1 } }),
        "body.metadata.correlationId",
      ],
      [
        "/commands/orders/place",
        JSON.stringify({ id: ID, data: {}, metadata: { schemaVersion: 0 } }),
        "body.metadata.schemaVersion",
      ],
      ["/commands/Not a name", JSON.stringify({ id: ID, data: {} }), "command"],
      ["/queries/orders/show", "null", "body"],
      ["/queries/orders/show", '"payload"', "body"],
      ["/queries/orders", JSON.stringify({ payload: 1 }), "query"],
      ["/events", JSON.stringify({ id: ID, data: {} }), "body.type"],
      ["/events", JSON.stringify({ id: ID, type: "orders/placed" }), "body.data"],
      [
        "/events",
        JSON.stringify({ id: ID, type: "orders/placed", data: {}, streamName: "no dash" }),
        "body.streamName",
      ],
      ["/events", JSON.stringify({ id: 5, type: "orders/placed", data: {} }), "body.id"],
      // Unknown keys are refused by name: the input of a query goes in payload, a command's in data.
      ["/queries/orders/show", JSON.stringify({ account: "a1" }), "body.account"],
      ["/commands/orders/place", JSON.stringify({ id: ID, data: {}, total: 3 }), "body.total"],
      [
        "/events",
        JSON.stringify({ id: ID, type: "orders/placed", data: {}, stream: "order-1" }),
        "body.stream",
      ],
      ["/commands/orders/place", JSON.stringify({ key: "k" }), "body.id"],
    ];

    for (const [path, body, field] of BAD) {
      it(`POST ${path} ${body.slice(0, 60) || "(empty)"} is answered with 400 naming ${field}`, async () => {
        const before = handled;
        await refused(await post(path, body), 400, field);
        assert.equal(handled, before);
      });
    }

    it("a query body without its payload wrapper is answered with 400 naming the key and saying where it belongs", async () => {
      const before = handled;
      const body = await refused(
        await post("/queries/orders/show", JSON.stringify({ account: "a1", amount: 5 })),
        400,
        "body.account",
      );
      assert.match(
        String(body.message),
        /"account" and "amount" are not keys of a query body: expected \{ payload\? \}; the query's input goes in payload/,
      );
      const missing = await refused(
        await post("/commands/orders/place", JSON.stringify({ key: "k" })),
        400,
        "body.id",
      );
      assert.match(String(missing.message), /"id" and "data" are required/);
      assert.equal(handled, before);
    });

    it("event stream parameters are checked: group, names or category, Last-Event-ID", async () => {
      const cases: [string, Record<string, string>, string][] = [
        ["?names=orders/placed", {}, "query.group"],
        ["?group=g", {}, "query"],
        ["?group=g&names=orders/placed&category=order", {}, "query"],
        ["?group=g&names=placed", {}, "query.names[0]"],
        ["?group=g&category=or der", {}, "query.category"],
        ["?group=g&names=orders/placed", { "last-event-id": "abc" }, "headers.last-event-id"],
      ];
      for (const [query, headers, path] of cases) {
        const response = await fetch(`${server.url}/ordo/events/stream${query}`, {
          headers: { authorization: `Bearer ${TOKEN}`, ...headers },
        });
        await refused(response, 400, path);
      }
    });

    it("a body over the limit is answered with 413 when its Content-Length says so", async () => {
      const big = JSON.stringify({ id: ID, data: { text: "x".repeat(LIMIT) } });
      const body = await refused(await post("/commands/orders/place", big), 413, "body");
      assert.match(
        String(body.message),
        /larger than the limit of 2000 bytes \(the handler's maxBodyBytes option\)/,
      );
      const fits = JSON.stringify({ id: ID, data: { text: "x".repeat(LIMIT - 100) } });
      assert.equal((await post("/commands/orders/place", fits)).status, 202);
    });

    it("a chunked body over the limit is answered with 413 once the bytes read pass it", async () => {
      const { status, body } = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const url = new URL(`${server.url}/ordo/commands/orders/place`);
          const req = httpRequest(url, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "transfer-encoding": "chunked" },
          }, (res) => {
            let text = "";
            res.on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode!, body: text }));
          });
          req.on("error", reject);
          req.write(`{"id":"${ID}","data":"`);
          for (let i = 0; i < 10; i++) req.write("y".repeat(500));
          req.end('"}');
        },
      );
      assert.equal(status, 413);
      assert.equal(JSON.parse(body).path, "body");
      assert.match(JSON.parse(body).message, /maxBodyBytes/);
    });

    it("unknown routes get 404, paths outside basePath 404, wrong methods 405 with Allow", async () => {
      await notFound(await post("/orders", "{}"), "/ordo/orders");
      const outside = await fetch(`${server.url}/queries/orders/show`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: "{}",
      });
      await notFound(outside, "/queries/orders/show");
      const get = await fetch(`${server.url}/ordo/queries/orders/show`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(get.headers.get("allow"), "POST");
      await refused(get, 405, "method");
      const postStream = await post("/events/stream?group=g&names=orders/placed", "");
      assert.equal(postStream.headers.get("allow"), "GET");
      await refused(postStream, 405, "method");
    });

    it("Prefer: wait=<seconds> bounds the wait: a command not answered in time gets 504 and a TimeoutError", async () => {
      const response = await post(
        "/commands/orders/slow",
        JSON.stringify({ id: crypto.randomUUID(), data: {} }),
        { prefer: "wait=1" },
      );
      assert.equal(response.status, 504);
      const body = await response.json();
      assert.equal(body._tag, "TimeoutError");
      assert.equal(body.timeoutMs, 1000);
    });

    it("the client refuses data that is not JSON before sending anything, naming the path", async () => {
      let requests = 0;
      const bus = createBus({
        transport: createHttpTransport({
          url: `${server.url}/ordo`,
          auth: { bearer: TOKEN },
          fetch: (url, init) => (requests++, fetch(url, init)),
        }),
      });
      await assert.rejects(
        bus.send({ type: "orders/place", data: { total: 10n } }),
        (e) => e instanceof ValidationError && e.path === "command.data.total",
      );
      await assert.rejects(
        bus.query("orders/show", { at: 1n }),
        (e) => e instanceof ValidationError && e.path === "query.payload.at",
      );
      assert.equal(requests, 0);
      await bus.close();
    });

    it("createHttpTransport() and createHttpHandler() check their options", () => {
      const transport = createInProcessTransport();
      const auth = { bearer: TOKEN };
      for (const url of ["not a url", "ftp://x", "http://x/?q=1"]) {
        assert.throws(
          () => createHttpTransport({ url, auth }),
          (e) => e instanceof ValidationError && e.path === "options.url",
        );
      }
      assert.throws(
        () => createHttpHandler({ transport, auth, basePath: "ordo" }),
        (e) => e instanceof ValidationError && e.path === "options.basePath",
      );
      assert.throws(
        () => createHttpHandler({ transport, auth, maxBodyBytes: 0 }),
        (e) => e instanceof ValidationError && e.path === "options.maxBodyBytes",
      );
      assert.throws(
        () => createHttpHandler({ transport, auth, allow: { queries: ["nope"] } }),
        (e) => e instanceof ValidationError && e.path === "options.allow.queries[0]",
      );
      assert.throws(
        () => createHttpHandler({ transport: {} as never, auth }),
        (e) => e instanceof ValidationError && e.path === "options.transport",
      );
      const client = createHttpTransport({ url: "http://127.0.0.1:1", auth });
      assert.throws(
        () => client.handleCommand("orders/place", () => {}),
        (e) =>
          e instanceof ValidationError && /register the handler on the transport/.test(e.message),
      );
      assert.throws(
        () => client.handleQuery("orders/show", () => {}),
        (e) => e instanceof ValidationError && e.path === "handleQuery",
      );
      assert.throws(
        () => client.subscribe("", ["orders/placed"], () => {}),
        (e) => e instanceof ValidationError && e.path === "group",
      );
      assert.throws(
        () => client.subscribe("g", [], () => {}),
        (e) => e instanceof ValidationError && e.path === "selector",
      );
    });
  });
}
