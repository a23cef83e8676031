// Authorization of the HTTP transport per credential, over a real node:http
// server in front of a store-backed transport on the memory store, PGlite and
// a real PostgreSQL server (started by the test): every
// route (send, send and wait, query, publish, follow by category and by
// event name) with every kind of credential (none, a wrong one, a valid one
// not allowed there, an allowed one). A refused request gets its status
// (401 or 403) and touches neither a handler nor the store.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import {
  ForbiddenError,
  silentLogger,
  UnauthenticatedError,
  ValidationError,
} from "../../core/mod.ts";
import { createBus, type Transport } from "../../core/messaging/mod.ts";
import type { EventStore } from "../../core/mod.ts";
import type { ConsumerStorage } from "../../core/mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
} from "../../stores/postgres/mod.ts";
import {
  createHttpHandler,
  createHttpTransport,
  type HttpServerAuth,
  signHttpRequest,
} from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { startPostgres } from "../_postgres_server.ts";
import { type RunningServer, startHttpServer } from "./_http_fixture.ts";

const ALLOWED = "token-of-the-orders-app";
const LIMITED = "token-of-the-reporting-app";

/** A store and its consumer storage, and how to release them. */
interface Backing {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<unknown>;
  close(): Promise<void>;
}

const BACKINGS: { name: string; open: () => Promise<Backing> }[] = [
  {
    name: "the memory store",
    open: () =>
      Promise.resolve({
        store: createMemoryStore(),
        storage: createMemoryConsumerStorage() as ConsumerStorage<unknown>,
        close: () => Promise.resolve(),
      }),
  },
  {
    name: "PGlite",
    open: async () => {
      const pg = await PGlite.create();
      const store = createPGliteStore(pg);
      await store.migrate();
      return {
        store,
        storage: createPGliteConsumerStorage(pg) as ConsumerStorage<unknown>,
        close: async () => {
          await store.close();
          await pg.close();
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    open: async () => {
      const server = await startPostgres();
      const sql = postgres(server.url, { onnotice: () => {} });
      const store = createPostgresStore(sql);
      await store.migrate();
      return {
        store,
        storage: createPostgresConsumerStorage(sql) as ConsumerStorage<unknown>,
        close: async () => {
          await store.close();
          await sql.end({ timeout: 5 });
          await server.stop();
        },
      };
    },
  },
];

/** An object whose every method call is counted: the real object, seen through a Proxy. */
function counted<T extends object>(inner: T): { value: T; calls: () => number } {
  let calls = 0;
  const value = new Proxy(inner, {
    get(target, key, receiver) {
      const member = Reflect.get(target, key, receiver);
      if (typeof member !== "function") return member;
      return (...args: unknown[]) => {
        calls++;
        return member.apply(target, args);
      };
    },
  });
  return { value, calls: () => calls };
}

interface Route {
  readonly name: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: () => string;
  readonly headers?: Record<string, string>;
  /** The status of an allowed credential. */
  readonly ok: number;
}

const ROUTES: Route[] = [
  {
    name: "send",
    method: "POST",
    path: "/commands/orders/place",
    body: () => JSON.stringify({ id: crypto.randomUUID(), data: { order: "A1" } }),
    ok: 202,
  },
  {
    name: "send and wait",
    method: "POST",
    path: "/commands/orders/place",
    body: () => JSON.stringify({ id: crypto.randomUUID(), data: { order: "A2" } }),
    headers: { prefer: "wait" },
    ok: 200,
  },
  {
    name: "query",
    method: "POST",
    path: "/queries/orders/show",
    body: () => JSON.stringify({ payload: { order: "A1" } }),
    ok: 200,
  },
  {
    name: "publish",
    method: "POST",
    path: "/events",
    body: () =>
      JSON.stringify({
        id: crypto.randomUUID(),
        type: "orders/placed",
        data: {},
        streamName: "order-7",
      }),
    ok: 202,
  },
  {
    name: "follow a category",
    method: "GET",
    path: "/events/stream?group=g&category=order",
    ok: 200,
  },
  {
    name: "follow events by name",
    method: "GET",
    path: "/events/stream?group=g&names=orders/placed",
    ok: 200,
  },
];

const CREDENTIALS: { name: string; authorization?: string; status?: number; tag?: string }[] = [
  { name: "no credential", status: 401, tag: "UnauthenticatedError" },
  {
    name: "a wrong credential",
    authorization: "Bearer not-a-token",
    status: 401,
    tag: "UnauthenticatedError",
  },
  {
    name: "a valid credential not allowed there",
    authorization: `Bearer ${LIMITED}`,
    status: 403,
    tag: "ForbiddenError",
  },
  { name: "an allowed credential", authorization: `Bearer ${ALLOWED}` },
];

for (const backing of BACKINGS) {
  describe(`HTTP transport authorization per credential, store-backed on ${backing.name}`, () => {
    let server: RunningServer;
    let inner: Transport;
    let backed: Backing;
    let storeCalls: () => number;
    let handled = 0;
    /** Waits until nothing calls the store for a while: the command loop and earlier event streams are idle. */
    const quiet = async () => {
      for (;;) {
        const seen = storeCalls();
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (storeCalls() === seen) return;
      }
    };

    before(async () => {
      backed = await backing.open();
      // The HTTP handler sees counted views of the store and the transport; the
      // transport's own command loop uses the store directly, so its idle
      // polling (waits that time out and read again) is not counted as a touch.
      const events = counted(backed.store);
      inner = createStoreBackedTransport(backed.store, { storage: backed.storage });
      const transport = counted(inner);
      storeCalls = () => events.calls() + transport.calls();
      const bus = createBus({ transport: inner });
      await bus.handleCommand("orders/place", () => (handled++, "placed")).ready;
      bus.handleQuery("orders/show", () => (handled++, "shown"));
      bus.handleQuery("orders/other", () => (handled++, "other"));
      server = await startHttpServer(createHttpHandler({
        transport: transport.value,
        events: events.value,
        logger: silentLogger,
        auth: {
          bearer: [
            {
              token: ALLOWED,
              name: "orders-app",
              allow: {
                commands: ["orders/place"],
                queries: ["orders/*"],
                subscribe: ["order", "orders/placed"],
                publish: ["order"],
              },
            },
            // Commands and queries listed narrowly; event routes left to the default: denied.
            {
              token: LIMITED,
              name: "reporting",
              allow: { commands: [], queries: ["orders/other"] },
            },
          ],
        },
      }));
    });
    after(async () => {
      await server.close();
      await inner.close();
      await backed.close();
    });

    for (const route of ROUTES) {
      for (const credential of CREDENTIALS) {
        const expected = credential.status ?? route.ok;
        it(`${route.name} (${route.method} ${route.path}) with ${credential.name} is answered with ${expected}`, async () => {
          // The command loop and event streams of earlier tests settle first: from here on, only this request moves the counts.
          await quiet();
          const storeBefore = storeCalls();
          const handledBefore = handled;
          const controller = new AbortController();
          const response = await fetch(`${server.url}${route.path}`, {
            method: route.method,
            headers: {
              ...(credential.authorization === undefined
                ? {}
                : { authorization: credential.authorization }),
              ...route.headers,
            },
            body: route.body?.(),
            signal: controller.signal,
          });
          assert.equal(response.status, expected);
          if (credential.status === undefined) {
            controller.abort();
            await response.body?.cancel().catch(() => {});
            return;
          }
          const body = await response.json();
          assert.equal(body._tag, credential.tag);
          if (credential.status === 401) {
            assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer realm="ordo"/);
          } else {
            assert.equal(body.credential, "reporting");
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
          assert.equal(storeCalls(), storeBefore, "the store was not touched");
          assert.equal(handled, handledBefore, "no handler ran");
        });
      }
    }

    it("the allowed credential may not publish to another category nor follow what it was not given", async () => {
      const headers = { authorization: `Bearer ${ALLOWED}` };
      await quiet();
      const before = storeCalls();
      const published = await fetch(`${server.url}/events`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          id: crypto.randomUUID(),
          type: "orders/placed",
          data: {},
          streamName: "invoice-1",
        }),
      });
      assert.equal(published.status, 403);
      const refusal = await published.json();
      assert.equal(refusal.action, "publish");
      assert.equal(refusal.target, "invoice-1");
      const followed = await fetch(
        `${server.url}/events/stream?group=g&names=orders/placed,orders/cancelled`,
        {
          headers,
        },
      );
      assert.equal(followed.status, 403);
      assert.equal((await followed.json()).target, "orders/cancelled");
      assert.equal(storeCalls(), before);
    });

    it("a bus over a credential not allowed there rejects with ForbiddenError, not retried", async () => {
      let requests = 0;
      const bus = createBus({
        transport: createHttpTransport({
          url: server.url,
          auth: { bearer: LIMITED },
          fetch: (url, init) => (requests++, fetch(url, init)),
        }),
        retry: { maxAttempts: 3, initialDelay: 1 },
      });
      await assert.rejects(
        bus.send({ type: "orders/place", data: {} }),
        (e) =>
          e instanceof ForbiddenError && e.action === "send" && e.target === "orders/place" &&
          e.credential === "reporting",
      );
      await assert.rejects(
        bus.publish({ type: "orders/placed", data: {}, stream: "order-1" }),
        (e) => e instanceof ForbiddenError && e.action === "publish",
      );
      assert.equal(await bus.query("orders/other", {}), "other");
      assert.equal(requests, 3);
      await bus.close();
    });
  });
}

describe("HTTP transport authorization defaults and options", () => {
  const serve = async (auth: HttpServerAuth) => {
    const transport = createInProcessTransport();
    const bus = createBus({ transport });
    bus.handleQuery("orders/show", () => "shown");
    bus.handleCommand("orders/place", () => "placed");
    const server = await startHttpServer(createHttpHandler({ transport, auth }));
    return {
      server,
      call: (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init),
      close: async () => {
        await server.close();
        await transport.close();
      },
    };
  };

  it("a credential without allow may send commands and ask queries, and may neither follow nor publish events", async () => {
    const { call, close } = await serve({ bearer: "plain-token-00001" });
    const headers = { authorization: "Bearer plain-token-00001" };
    const body = JSON.stringify({ id: crypto.randomUUID(), data: {} });
    assert.equal(
      (await call("/commands/orders/place", { method: "POST", headers, body })).status,
      202,
    );
    const query = await call("/queries/orders/show", { method: "POST", headers, body: "{}" });
    assert.equal(query.status, 200);
    await query.body?.cancel();
    const published = await call("/events", {
      method: "POST",
      headers,
      body: JSON.stringify({ id: crypto.randomUUID(), type: "orders/placed", data: {} }),
    });
    assert.equal(published.status, 403);
    assert.equal((await published.json())._tag, "ForbiddenError");
    const followed = await call("/events/stream?group=g&category=order", { headers });
    assert.equal(followed.status, 403);
    await followed.body?.cancel();
    await close();
  });

  it("auth.allow applies to every credential; a credential's own allow replaces it key by key", async () => {
    const { call, close } = await serve({
      bearer: ["shared-token-0001", { token: "own-token-0000001", allow: { queries: [] } }],
      allow: { queries: ["orders/show"], subscribe: ["order"] },
    });
    for (
      const [token, query, stream] of [["shared-token-0001", 200, 200], [
        "own-token-0000001",
        403,
        200,
      ]] as const
    ) {
      const headers = { authorization: `Bearer ${token}` };
      const asked = await call("/queries/orders/show", { method: "POST", headers, body: "{}" });
      assert.equal(asked.status, query, token);
      await asked.body?.cancel();
      const controller = new AbortController();
      const followed = await call("/events/stream?group=g&category=order", {
        headers,
        signal: controller.signal,
      });
      assert.equal(followed.status, stream, token);
      controller.abort();
      await followed.body?.cancel().catch(() => {});
    }
    await close();
  });

  it("{ none: true } takes an allow too, and denies event routes without one", async () => {
    const { call, close } = await serve({ none: true });
    const followed = await call("/events/stream?group=g&category=order");
    assert.equal(followed.status, 403);
    assert.equal((await followed.json()).credential, null);
    await close();
  });

  it("HMAC secrets are credentials: the secret that signed a request decides what it may do", async () => {
    const { server, close } = await serve({
      hmac: {
        secret: [
          { secret: "reader-secret-0001", name: "reader", allow: { commands: [] } },
          "writer-secret-0001",
        ],
      },
    });
    const body = JSON.stringify({ id: crypto.randomUUID(), data: {} });
    const url = `${server.url}/commands/orders/place`;
    for (
      const [secret, status] of [["reader-secret-0001", 403], ["writer-secret-0001", 202]] as const
    ) {
      const headers = await signHttpRequest({ method: "POST", url, body }, secret);
      const response = await fetch(url, { method: "POST", headers, body });
      assert.equal(response.status, status, secret);
      await response.body?.cancel();
    }
    await close();
  });

  it("createHttpHandler() checks permissions and credentials, naming the option", () => {
    const transport = createInProcessTransport();
    const cases: [unknown, string][] = [
      [
        { bearer: "t0ken-0123456789ab", allow: { subscribes: ["order"] } },
        "options.auth.allow.subscribes",
      ],
      [
        { bearer: "t0ken-0123456789ab", allow: { commands: "orders/place" } },
        "options.auth.allow.commands",
      ],
      [
        { bearer: "t0ken-0123456789ab", allow: { commands: ["place"] } },
        "options.auth.allow.commands[0]",
      ],
      [
        { bearer: "t0ken-0123456789ab", allow: { publish: ["no dash-"] } },
        "options.auth.allow.publish[0]",
      ],
      [
        { bearer: [{ token: "t0ken-0123456789ab", allow: { subscribe: ["or der"] } }] },
        "options.auth.bearer[0].allow.subscribe[0]",
      ],
      [{ bearer: [{ token: "t0ken-0123456789ab", role: "admin" }] }, "options.auth.bearer[0].role"],
      [{ bearer: ["t0ken-0123456789ab", { token: "t0ken-0123456789ab" }] }, "options.auth.bearer"],
      [{
        bearer: [{ token: "token-aaaaaaaaaaaa", name: "x" }, {
          token: "token-bbbbbbbbbbbb",
          name: "x",
        }],
      }, "options.auth.bearer"],
      [{ hmac: { secret: [{ secret: "" }] } }, "options.auth.hmac.secret[0].secret"],
    ];
    for (const [auth, path] of cases) {
      assert.throws(
        () => createHttpHandler({ transport, auth: auth as HttpServerAuth }),
        (e) => e instanceof ValidationError && e.path === path,
        `${JSON.stringify(auth)} -> ${path}`,
      );
    }
    assert.throws(
      () =>
        createHttpTransport({
          url: "http://127.0.0.1:1",
          auth: { bearer: "t0ken-0123456789ab", allow: { commands: [] } } as never,
        }),
      (e) => e instanceof ValidationError && e.path === "options.auth.allow",
    );
  });

  it("a wrong credential reaches the client as UnauthenticatedError", async () => {
    const { server, close } = await serve({ bearer: "right-token-00001" });
    const bus = createBus({
      transport: createHttpTransport({ url: server.url, auth: { bearer: "wrong" } }),
    });
    await assert.rejects(
      bus.query("orders/show", {}),
      (e) => e instanceof UnauthenticatedError && e.scheme === "Bearer",
    );
    await bus.close();
    await close();
  });
});
