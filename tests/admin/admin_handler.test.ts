// The console's handler over HTTP semantics, without a browser: the page and
// its assets, authentication by role (bearer and HMAC), the JSON API the page
// reads, and replays: operator only, same-origin only, run by the group's
// running consumer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  silentLogger,
  ValidationError,
} from "../../mod.ts";
import { type AdminHandler, createAdminHandler } from "../../admin/mod.ts";
import { signHttpRequest } from "../../transports/http/mod.ts";
import { until } from "../contract/_consumer_fixtures.ts";

const BASE = "http://127.0.0.1:8080";
const OPERATOR = { authorization: "Bearer operator-token-7f3a9c" };
const VIEWER = { authorization: "Bearer viewer-token-5b2e8d41" };
const REPLAY = { ...OPERATOR, "x-ordo-console": "1", origin: BASE };

describe("createAdminHandler()", () => {
  const store: EventStore = createMemoryStore();
  const storage = createMemoryConsumerStorage();
  let handler: AdminHandler;
  let fixed = false;
  const handled: string[] = [];
  let poison: string;
  const consumer = () =>
    createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      logger: silentLogger,
      controlInterval: 250, // counts as running for 750 ms: enough on a loaded machine
      retry: { maxAttempts: 1, initialDelay: 0, maxDelay: 0 },
      handler: (m) => {
        if (!fixed && (m.data as { total?: number }).total === 7) {
          throw new Error("total 7 is cursed");
        }
        handled.push(m.id);
      },
    });
  let running: ReturnType<typeof consumer>;

  const get = async (path: string, headers: Record<string, string> = OPERATOR) =>
    await handler.fetch(new Request(`${BASE}${path}`, { headers }));
  const post = async (path: string, headers: Record<string, string> = REPLAY) =>
    await handler.fetch(new Request(`${BASE}${path}`, { method: "POST", headers, body: "{}" }));

  before(async () => {
    const placed = await store.append("order-1", [{
      type: "OrderPlaced",
      data: { total: 7 },
      metadata: {
        correlationId: "c-1",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      },
    }]);
    poison = placed.positions[0].id;
    await store.append("order-1", [{
      type: "OrderShipped",
      data: {},
      metadata: { causationId: poison },
    }]);
    await store.append("user-1", [{ type: "UserJoined", data: {} }]);
    running = consumer();
    await running.caughtUp;
    handler = createAdminHandler({
      store,
      storage,
      auth: {
        operator: { bearer: { token: "operator-token-7f3a9c", name: "ops" } },
        viewer: { bearer: "viewer-token-5b2e8d41" },
      },
      sampleInterval: 50,
    });
  });

  after(async () => {
    await handler.close();
    await running.stop();
  });

  it("refuses options without authentication, without an operator, or with none", () => {
    const refused = (auth: unknown, path: string) =>
      assert.throws(
        () => createAdminHandler({ store, storage, auth: auth as never }),
        (error) => error instanceof ValidationError && error.path === path,
      );
    refused(undefined, "options.auth");
    refused({ viewer: { bearer: "viewer-token-5b2e8d41" } }, "options.auth.operator");
    refused({ operator: { none: true } }, "options.auth.operator");
    refused(
      { operator: { bearer: "operator-token-7f3a9c" }, viewer: { none: true } },
      "options.auth.viewer",
    );
  });

  // A trial found each of these accepted, or refused with advice the console refuses in turn.
  it("refuses a credential in the wrong shape with the shapes it takes, never { none: true }", () => {
    assert.throws(
      () => createAdminHandler({ store, storage, auth: { operator: "secret" as never } }),
      (error) =>
        error instanceof ValidationError && error.path === "options.auth.operator" &&
        error.reason.includes('{ bearer: "token" } or { hmac: { secret: "…" } }') &&
        !error.reason.includes("none"),
    );
  });

  // A trial found it accepted: read as a limit on what a credential may do, it limited nothing.
  it("refuses the HTTP transport's allow in a credential, at its path, saying the role decides instead", () => {
    const allow = { commands: [] };
    for (
      const [auth, path] of [
        [{ operator: { bearer: "operator-token-7f3a9c", allow } }, "options.auth.operator.allow"],
        [
          {
            operator: { bearer: "operator-token-7f3a9c" },
            viewer: { bearer: ["viewer-token-5b2e8d41", { token: "viewer-token-9c0d", allow }] },
          },
          "options.auth.viewer.bearer[1].allow",
        ],
        [
          { operator: { hmac: { secret: { secret: "s3cret-s3cret-s3cret", allow } } } },
          "options.auth.operator.hmac.secret.allow",
        ],
      ] as const
    ) {
      assert.throws(
        () => createAdminHandler({ store, storage, auth: auth as never }),
        (error) =>
          error instanceof ValidationError && error.path === path &&
          error.reason.includes("which the console does not serve: remove it") &&
          error.reason.includes("(operator: read and replay; viewer: read only)"),
        path,
      );
    }
  });

  it("refuses a misspelt role naming the nearest, before saying the operator is missing", () => {
    assert.throws(
      () =>
        createAdminHandler({
          store,
          storage,
          auth: { opertor: { bearer: "operator-token-7f3a9c" } } as never,
        }),
      (error) =>
        error instanceof ValidationError && error.path === "options.auth.opertor" &&
        error.reason === 'unknown option; did you mean "operator"?',
    );
  });

  it("refuses a token both roles share: a viewer could replay", () => {
    const same = "shared-token-0123456789";
    assert.throws(
      () =>
        createAdminHandler({
          store,
          storage,
          auth: { operator: { bearer: same }, viewer: { bearer: [{ token: same, name: "v" }] } },
        }),
      (error) =>
        error instanceof ValidationError && error.path === "options.auth.viewer" &&
        /a viewer could replay/.test(error.reason) && !error.message.includes(same),
    );
  });

  it("refuses tokens and secrets under 16 characters, without echoing them", () => {
    for (
      const [auth, path] of [
        [{ operator: { bearer: "a" } }, "options.auth.operator.bearer"],
        [{ operator: { bearer: "0123456789abcde" } }, "options.auth.operator.bearer"],
        [
          { operator: { bearer: "operator-token-7f3a9c" }, viewer: { bearer: ["short"] } },
          "options.auth.viewer.bearer[0]",
        ],
        [
          { operator: { hmac: { secret: { secret: "s3cret" } } } },
          "options.auth.operator.hmac.secret.secret",
        ],
      ] as const
    ) {
      assert.throws(
        () => createAdminHandler({ store, storage, auth: auth as never }),
        (error) =>
          error instanceof ValidationError && error.path === path &&
          /at least 16 characters/.test(error.reason) && !error.message.includes("s3cret"),
        path,
      );
    }
    const h = createAdminHandler({
      store,
      storage,
      auth: { operator: { bearer: "0123456789abcdef" } },
    });
    return h.close();
  });

  it("refuses a token with whitespace without echoing it, and says a trailing newline is to trim", () => {
    for (
      const [token, said] of [
        ["operator-token-7f3a9c\n", /ends with whitespace \(read from a file\? trim it\)/],
        ["correct horse battery staple", /holds whitespace/],
      ] as const
    ) {
      assert.throws(
        () => createAdminHandler({ store, storage, auth: { operator: { bearer: token } } }),
        (error) =>
          error instanceof ValidationError && error.path === "options.auth.operator.bearer" &&
          said.test(error.reason) && !error.message.includes(token.trim()) &&
          !error.message.includes("horse"),
      );
    }
  });

  it("refuses an origin that is not scheme://host[:port]: it could never match", () => {
    for (
      const origin of [
        "ops.example.com",
        "https://ops.example.com/",
        "https://ops.example.com/admin",
      ]
    ) {
      assert.throws(
        () =>
          createAdminHandler({
            store,
            storage,
            auth: { operator: { bearer: "operator-token-7f3a9c" } },
            origins: ["https://fine.example.com:8443", origin],
          }),
        (error) =>
          error instanceof ValidationError && error.path === "options.origins[1]" &&
          /scheme:\/\/host\[:port\]/.test(error.reason),
        origin,
      );
    }
    // Upper case and a default port: it names the form a browser sends.
    assert.throws(
      () =>
        createAdminHandler({
          store,
          storage,
          auth: { operator: { bearer: "operator-token-7f3a9c" } },
          origins: ["HTTPS://OPS.EXAMPLE.COM:443"],
        }),
      (error) =>
        error instanceof ValidationError &&
        error.reason.startsWith(
          'is not an origin as a browser sends it: write "https://ops.example.com"',
        ),
    );
  });

  it("serves the page, its style and script without credentials, with a policy that runs only its own script", async () => {
    const page = await get("/", {});
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    const policy = page.headers.get("content-security-policy")!;
    assert.match(policy, /script-src 'self'/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    const html = await page.text();
    assert.match(html, /<script src="assets\/console.js" defer><\/script>/);
    assert.doesNotMatch(html, /<script>[^<]/, "no inline script");
    const script = await get("/assets/console.js", {});
    assert.match(script.headers.get("content-type")!, /^text\/javascript/);
    assert.doesNotMatch(await script.text(), /innerHTML|eval\(|document\.write/);
    assert.equal((await get("/assets/console.css", {})).status, 200);
  });

  it("answers the API only with a credential: 401 with a challenge otherwise", async () => {
    const none = await get("/api/overview", {});
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate")!, /^Bearer/);
    assert.equal((await none.json())._tag, "UnauthenticatedError");
    const wrong = await get("/api/overview", { authorization: "Bearer guess" });
    assert.equal(wrong.status, 401);
    assert.deepEqual(await (await get("/api/session")).json(), { role: "operator", name: "ops" });
    assert.deepEqual(await (await get("/api/session", VIEWER)).json(), { role: "viewer" });
  });

  it("takes HMAC-signed requests when its roles are given HMAC secrets", async () => {
    const signed = createAdminHandler({
      store,
      storage,
      auth: { operator: { hmac: { secret: "s3cret-s3cret-s3cret" } } },
    });
    try {
      const url = `${BASE}/api/session`;
      const headers = await signHttpRequest({ method: "GET", url }, "s3cret-s3cret-s3cret");
      assert.deepEqual(await (await signed.fetch(new Request(url, { headers }))).json(), {
        role: "operator",
      });
      const forged = await signHttpRequest({ method: "GET", url }, "other");
      assert.equal((await signed.fetch(new Request(url, { headers: forged }))).status, 401);
    } finally {
      await signed.close();
    }
  });

  it("overview: head, streams, categories, consumers with lag, history", async () => {
    const overview = await (await get("/api/overview")).json();
    assert.equal(overview.head, "3");
    assert.deepEqual(overview.streams, { count: 2, capped: false });
    assert.deepEqual(overview.categories.map((c: { category: string }) => c.category), [
      "order",
      "user",
    ]);
    assert.deepEqual(overview.consumers, [{
      group: "totals",
      state: "running",
      lag: 0,
      lagCapped: false,
      parked: 1,
    }]);
    assert.ok(overview.history.length >= 1);
  });

  it("streams, one stream, and one message by position or id, with the message that caused it", async () => {
    const page = await (await get("/api/streams?category=order&limit=1")).json();
    assert.deepEqual(page.streams.map((s: { streamName: string }) => s.streamName), ["order-1"]);
    assert.equal(page.end, true);
    const stream = await (await get("/api/streams/order-1?from=1")).json();
    assert.deepEqual([stream.version, stream.messages.length, stream.messages[0].type], [
      1,
      1,
      "OrderShipped",
    ]);
    const shipped = await (await get("/api/messages/2")).json();
    assert.equal(shipped.message.type, "OrderShipped");
    assert.equal(shipped.causedBy.id, poison);
    const byId = await (await get(`/api/messages/${poison}`)).json();
    assert.equal(byId.message.metadata.correlationId, "c-1");
    const missing = await get("/api/messages/99");
    assert.equal(missing.status, 404);
    assert.equal((await missing.json())._tag, "NotFoundError");
    assert.equal((await get("/api/streams?limit=x")).status, 400);
    assert.equal((await get("/api/nothing")).status, 404);
  });

  // Regenerating the screenshots found a lag of 5 beside a chart along 0: a
  // page's read that came too soon after the last sample was not in its chart.
  it("a page's charts end at the figures it shows, however soon after the last sample it reads", async () => {
    const spaced = createAdminHandler({
      store,
      storage,
      auth: { operator: { bearer: "operator-token-7f3a9c" } },
      sampleInterval: 60_000,
    });
    const read = async (route: string) =>
      await (await spaced.fetch(new Request(`${BASE}/api/${route}`, { headers: OPERATOR })))
        .json();
    try {
      await read("overview");
      await store.append("user-2", [{ type: "UserJoined", data: {} }]);
      const overview = await read("overview");
      assert.equal(overview.history.at(-1).head, overview.head);
      const consumers = await read("consumers");
      assert.deepEqual(
        consumers.history.at(-1).lags,
        Object.fromEntries(
          consumers.groups.map((g: { group: string; lag: number }) => [g.group, g.lag]),
        ),
      );
    } finally {
      await spaced.close();
    }
  });

  // A trial found a mistyped stream shown as "0 messages", as if it existed.
  it("a stream that does not exist is 404, naming the nearest streams of its category", async () => {
    const answer = await get("/api/streams/order-11");
    assert.equal(answer.status, 404);
    const body = await answer.json();
    assert.equal(body._tag, "NotFoundError");
    assert.equal(body.kind, "stream");
    assert.equal(
      body.message,
      'Cannot find stream "order-11": no message was ever appended to it; did you mean "order-1"?',
    );
    assert.deepEqual(body.nearby, ["order-1"]);
    const category = await (await get("/api/streams/orders-1")).json();
    assert.deepEqual(category.nearby, ["order-1"], "a mistyped category: its first letters");
    const far = await (await get("/api/streams/invoice-77")).json();
    assert.deepEqual(far.nearby, [], "no stream of its category: none named");
  });

  it("looks a message up by id: a malformed id is 400, an unknown one 404, and a store without getMessage says to give a position", async () => {
    const malformed = await get("/api/messages/not-an-id");
    assert.equal(malformed.status, 400);
    assert.equal((await malformed.json())._tag, "ValidationError");
    const unknown = await get(`/api/messages/${crypto.randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).message, /no message has this id$/);
    // The store without getMessage (methods bound: the memory store's fields are private).
    const bare = new Proxy(store, {
      get: (target, key) => {
        const value = Reflect.get(target, key);
        if (key === "getMessage") return undefined;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const plain = createAdminHandler({
      store: bare,
      storage,
      auth: { operator: { bearer: "operator-token-7f3a9c" } },
    });
    try {
      const refused = await plain.fetch(
        new Request(`${BASE}/api/messages/${poison}`, { headers: OPERATOR }),
      );
      assert.equal(refused.status, 400);
      assert.match(
        (await refused.json()).message,
        /cannot look a message up by id: give its global position/,
      );
      const byPosition = await plain.fetch(
        new Request(`${BASE}/api/messages/1`, { headers: OPERATOR }),
      );
      assert.equal((await byPosition.json()).message.id, poison);
    } finally {
      await plain.close();
    }
  });

  it("consumers: every group as inspectConsumers gives it, and the lag history", async () => {
    const data = await (await get("/api/consumers")).json();
    assert.equal(data.groups[0].group, "totals");
    assert.equal(data.groups[0].lastError.message, "total 7 is cursed");
    assert.ok(data.history.length >= 1 && "totals" in data.history[0].lags);
  });

  it("refuses a replay to a viewer (403), without the console's header or from another origin (403)", async () => {
    const viewer = await post(`/api/parked/totals/${poison}/replay`, {
      ...VIEWER,
      "x-ordo-console": "1",
    });
    assert.equal(viewer.status, 403);
    const body = await viewer.json();
    assert.equal(body._tag, "ForbiddenError");
    assert.match(
      body.message,
      /Cannot replay parked messages of group "totals": this credential is not allowed to replay them; replaying needs an operator credential/,
    );
    const noHeader = await post(`/api/parked/totals/${poison}/replay`, {
      ...OPERATOR,
      origin: BASE,
    });
    assert.equal(noHeader.status, 403);
    assert.match((await noHeader.json()).message, /x-ordo-console/);
    const crossSite = await post(`/api/parked/totals/${poison}/replay`, {
      ...REPLAY,
      origin: "https://evil.example",
    });
    assert.equal(crossSite.status, 403);
    assert.match((await crossSite.json()).message, /must come from the console's origin/);
    const fetchSite = await post(`/api/parked/totals/${poison}/replay`, {
      ...OPERATOR,
      "x-ordo-console": "1",
      "sec-fetch-site": "cross-site",
    });
    assert.equal(fetchSite.status, 403);
    assert.equal(
      (await (await get("/api/parked")).json()).entries[0].attempts,
      1,
      "nothing was replayed",
    );
  });

  it("replays for an operator: 202, then the running consumer handles it and it leaves the parked list", async () => {
    fixed = true;
    const asked = await post(`/api/parked/totals/${poison}/replay`);
    assert.equal(asked.status, 202);
    assert.deepEqual(await asked.json(), {
      group: "totals",
      messages: [{ messageId: poison, attempts: 1 }],
      running: 1,
    });
    await until(
      async () => (await (await get("/api/parked")).json()).entries.length === 0,
      "replayed",
    );
    assert.ok(handled.includes(poison));
    const outcome = await (await get(`/api/parked/totals/${poison}/outcome?attempts=1`)).json();
    assert.deepEqual(outcome, { messageId: poison, outcome: "replayed" });
    assert.equal((await get(`/api/parked/totals/${poison}`)).status, 404);
  });

  it("mounts under a base path, and redirects the bare path to the page", async () => {
    const mounted = createAdminHandler({
      store,
      storage,
      basePath: "/admin",
      auth: { operator: { bearer: "mounted-token-0a1b2c" } },
    });
    try {
      const bare = await mounted.fetch(new Request(`${BASE}/admin`));
      assert.deepEqual([bare.status, bare.headers.get("location")], [308, "/admin/"]);
      assert.equal((await mounted.fetch(new Request(`${BASE}/admin/`))).status, 200);
      const session = await mounted.fetch(
        new Request(`${BASE}/admin/api/session`, {
          headers: { authorization: "Bearer mounted-token-0a1b2c" },
        }),
      );
      assert.equal(session.status, 200);
      assert.equal((await mounted.fetch(new Request(`${BASE}/other`))).status, 404);
      assert.throws(() =>
        createAdminHandler({
          store,
          storage,
          basePath: "admin/",
          auth: { operator: { bearer: "mounted-token-0a1b2c" } },
        })
      );
    } finally {
      await mounted.close();
    }
    // Closed means closed: every request after is refused as the HTTP transport refuses it.
    const closed = await mounted.fetch(new Request(`${BASE}/admin/`));
    assert.equal(closed.status, 503);
    assert.equal((await closed.json())._tag, "ClosedError");
  });
});
