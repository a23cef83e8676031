// Authentication of the HTTP transport against a real node:http server:
// bearer tokens (missing, wrong, rotated) and HMAC signatures (tampered body,
// path, query, timestamp; stale; replayed with another body; wrong secret),
// and that neither side can be created without saying how it authenticates.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { UnauthenticatedError, ValidationError } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import {
  createHttpHandler,
  createHttpTransport,
  type HttpServerAuth,
  signHttpRequest,
} from "../../transports/http/mod.ts";
import { constantTimeEqual } from "../../transports/http/server/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { type RunningServer, startHttpServer } from "./_http_fixture.ts";

const SECRET = "hmac-secret-for-tests";

async function serve(
  auth: HttpServerAuth,
): Promise<{ server: RunningServer; calls: () => number }> {
  const transport = createInProcessTransport();
  let calls = 0;
  const bus = createBus({ transport });
  bus.handleQuery("orders/show", (payload) => {
    calls++;
    return { shown: payload };
  });
  bus.handleQuery("orders/secret", () => "must not be reached");
  const server = await startHttpServer(createHttpHandler({ transport, auth }));
  return { server, calls: () => calls };
}

async function refusal(
  response: Response,
): Promise<{ status: number; challenge: string | null; body: Record<string, unknown> }> {
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate"),
    body: await response.json(),
  };
}

describe("HTTP transport authentication", () => {
  it("createHttpHandler() refuses a token or secret under 16 characters or bytes, without showing it", () => {
    const transport = createInProcessTransport();
    const cases: [HttpServerAuth, string, string][] = [
      [{ bearer: "s3cret" }, "options.auth.bearer", "6 characters"],
      [
        { bearer: ["current-token-0001", "x".repeat(15)] },
        "options.auth.bearer[1]",
        "15 characters",
      ],
      [
        { bearer: [{ token: "short-token", name: "app" }] },
        "options.auth.bearer[0].token",
        "11 characters",
      ],
      [{ hmac: { secret: "short-secret" } }, "options.auth.hmac.secret", "12 characters"],
      [{ hmac: { secret: new Uint8Array(15) } }, "options.auth.hmac.secret", "15 bytes"],
    ];
    for (const [auth, path, length] of cases) {
      assert.throws(
        () => createHttpHandler({ transport, auth }),
        (e) =>
          e instanceof ValidationError && e.path === path &&
          e.message.includes(length) && /at least 16/.test(e.reason) &&
          /openssl rand/.test(e.reason) && !/s3cret|short-|xxxxx/.test(e.message),
        `${path}: ${length}`,
      );
    }
    // Exactly 16 is enough, in characters and in bytes; the client takes any key (the server decides).
    createHttpHandler({ transport, auth: { bearer: "x".repeat(16) } });
    createHttpHandler({ transport, auth: { hmac: { secret: new Uint8Array(16) } } });
    createHttpTransport({ url: "http://127.0.0.1:1", auth: { bearer: "s3cret" } });
  });

  it("createHttpHandler() and createHttpTransport() refuse to start without auth", () => {
    const transport = createInProcessTransport();
    for (
      const auth of [undefined, {}, { bearer: "" }, { none: false }, { bearer: "t", none: true }, {
        hmac: {},
      }, { hmac: { secret: "" } }]
    ) {
      assert.throws(
        () => createHttpHandler({ transport, auth: auth as never }),
        (e) => e instanceof ValidationError && e.path.startsWith("options.auth"),
        JSON.stringify(auth),
      );
      assert.throws(
        () => createHttpTransport({ url: "http://127.0.0.1:1", auth: auth as never }),
        (e) => e instanceof ValidationError && e.path.startsWith("options.auth"),
        JSON.stringify(auth),
      );
    }
  });

  describe("bearer", () => {
    let server: RunningServer;
    let calls: () => number;
    const query = (headers: Record<string, string>) =>
      fetch(`${server.url}/queries/orders/show`, {
        method: "POST",
        headers,
        body: JSON.stringify({ payload: 1 }),
      });

    before(
      async () => ({ server, calls } = await serve({
        bearer: ["current-token-0001", "next-token-000001"],
      })),
    );
    after(() => server.close());

    it("accepts each configured token", async () => {
      for (const token of ["current-token-0001", "next-token-000001"]) {
        const response = await query({ authorization: `Bearer ${token}` });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { shown: 1 });
      }
    });

    it("answers a missing token with 401 and a Bearer challenge, before any handler runs", async () => {
      const before = calls();
      const { status, challenge, body } = await refusal(await query({}));
      assert.equal(status, 401);
      assert.equal(challenge, 'Bearer realm="ordo"');
      assert.equal(body._tag, "UnauthenticatedError");
      assert.equal(body.scheme, "Bearer");
      assert.match(String(body.message), /Authorization header is missing/);
      assert.equal(calls(), before);
    });

    it("answers a wrong token, a token's prefix and another scheme with 401 invalid_token", async () => {
      for (
        const authorization of [
          "Bearer wrong-token",
          "Bearer current-toke",
          "Bearer current-token-0001-and-more",
          "Basic current-token-0001",
          "Bearer",
        ]
      ) {
        const { status, challenge } = await refusal(await query({ authorization }));
        assert.equal(status, 401, authorization);
        assert.match(challenge ?? "", /^Bearer realm="ordo"/, authorization);
      }
    });

    it("refuses an unknown route's caller with 401 too: routes are not revealed before authentication", async () => {
      const response = await fetch(`${server.url}/nowhere`, { method: "POST", body: "{}" });
      assert.equal(response.status, 401);
      await response.body?.cancel();
    });

    it("the bus over a client with a wrong token rejects with an UnauthenticatedError, not retried", async () => {
      const seen: string[] = [];
      const bus = createBus({
        transport: createHttpTransport({
          url: server.url,
          auth: { bearer: "wrong-token" },
          fetch: (url, init) => (seen.push(url), fetch(url, init)),
        }),
        retry: { maxAttempts: 3, initialDelay: 1 },
      });
      await assert.rejects(
        bus.query("orders/show", 1),
        (e) => e instanceof UnauthenticatedError && e.scheme === "Bearer",
      );
      assert.equal(seen.length, 1);
      await bus.close();
    });

    it("property: constantTimeEqual() agrees with ===", () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), (a, b) => {
          assert.equal(constantTimeEqual(a, b), a === b);
          assert.equal(constantTimeEqual(a, a), true);
        }),
        propertyParameters(500),
      );
    });
  });

  describe("HMAC", () => {
    let server: RunningServer;
    let calls: () => number;
    const body = JSON.stringify({ payload: { id: "o-1" } });
    const signed = async (
      path: string,
      signedBody: string,
      options: { timestamp?: number; secret?: string; method?: string } = {},
    ) =>
      await signHttpRequest(
        { method: options.method ?? "POST", url: `${server.url}${path}`, body: signedBody },
        options.secret ?? SECRET,
        {
          timestamp: options.timestamp,
        },
      );
    const send = (path: string, headers: Record<string, string>, sentBody: string) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: sentBody,
      });

    before(
      async () => ({ server, calls } = await serve({
        hmac: { secret: ["new-secret-000001", SECRET], maxSkew: 60_000 },
        allow: { subscribe: ["orders/placed"] },
      })),
    );
    after(() => server.close());

    it("accepts a correctly signed request (with either configured secret)", async () => {
      for (const secret of [SECRET, "new-secret-000001"]) {
        const response = await send(
          "/queries/orders/show",
          await signed("/queries/orders/show", body, { secret }),
          body,
        );
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { shown: { id: "o-1" } });
      }
    });

    it("answers an unsigned request with 401 and the scheme's challenge", async () => {
      const { status, challenge, body: error } = await refusal(
        await send("/queries/orders/show", {}, body),
      );
      assert.equal(status, 401);
      assert.equal(challenge, 'ORDO-HMAC-SHA256 realm="ordo"');
      assert.equal(error._tag, "UnauthenticatedError");
      assert.equal(error.scheme, "ORDO-HMAC-SHA256");
    });

    it("answers a tampered body, path, query, method, timestamp, secret or signature with 401", async () => {
      const before = calls();
      const now = Math.floor(Date.now() / 1000);
      const good = await signed("/queries/orders/show", body, { timestamp: now });
      const cases: [string, Promise<Response>][] = [
        ["body", send("/queries/orders/show", good, JSON.stringify({ payload: { id: "o-2" } }))],
        ["path", send("/queries/orders/secret", good, body)],
        ["query string", send("/queries/orders/show?extra=1", good, body)],
        [
          "method",
          send(
            "/queries/orders/show",
            await signed("/queries/orders/show", body, { method: "PUT" }),
            body,
          ),
        ],
        [
          "timestamp",
          send("/queries/orders/show", { ...good, "x-ordo-timestamp": String(now + 1) }, body),
        ],
        [
          "secret",
          send(
            "/queries/orders/show",
            await signed("/queries/orders/show", body, { secret: "not-the-secret" }),
            body,
          ),
        ],
        [
          "signature",
          send("/queries/orders/show", {
            ...good,
            authorization: good.authorization.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
          }, body),
        ],
        [
          "scheme",
          send("/queries/orders/show", {
            ...good,
            authorization: good.authorization.replace("ORDO-HMAC-SHA256", "HMAC"),
          }, body),
        ],
      ];
      for (const [what, response] of cases) {
        assert.equal((await response).status, 401, `tampered ${what}`);
      }
      assert.equal(calls(), before);
    });

    it("answers a stale or future timestamp with 401, even when correctly signed", async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const timestamp of [now - 120, now + 120]) {
        const { status, body: error } = await refusal(
          await send(
            "/queries/orders/show",
            await signed("/queries/orders/show", body, { timestamp }),
            body,
          ),
        );
        assert.equal(status, 401);
        assert.match(String(error.message), /outside the server's window of 60 s/);
      }
    });

    it("answers a signed request replayed with another body with 401; the same request replayed is accepted (calls are idempotent)", async () => {
      const headers = await signed("/queries/orders/show", body);
      assert.equal((await send("/queries/orders/show", headers, body)).status, 200);
      assert.equal(
        (await send("/queries/orders/show", headers, JSON.stringify({ payload: { id: "other" } })))
          .status,
        401,
      );
      assert.equal((await send("/queries/orders/show", headers, body)).status, 200);
    });

    it("signs event streams too: the group and selector in the query string are covered", async () => {
      const path = "/events/stream?group=g&names=orders%2Fplaced";
      const headers = await signHttpRequest({ method: "GET", url: `${server.url}${path}` }, SECRET);
      const tampered = await fetch(
        `${server.url}/events/stream?group=other&names=orders%2Fplaced`,
        { headers },
      );
      assert.equal(tampered.status, 401);
      await tampered.body?.cancel();
      const controller = new AbortController();
      const ok = await fetch(`${server.url}${path}`, { headers, signal: controller.signal });
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get("content-type") ?? "", /^text\/event-stream/);
      controller.abort();
      await ok.body?.cancel().catch(() => {});
    });

    it("property: any change to a signed body is refused, the signed body is accepted", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.json(),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          async (json, at, flip) => {
            const original = JSON.stringify({ payload: JSON.parse(json) });
            const headers = await signed("/queries/orders/show", original);
            const bytes = new TextEncoder().encode(original);
            const i = at % bytes.length;
            const changed = bytes.slice();
            changed[i] ^= flip;
            const response = await fetch(`${server.url}/queries/orders/show`, {
              method: "POST",
              headers,
              body: changed,
            });
            assert.equal(response.status, 401, `byte ${i} changed`);
            await response.body?.cancel();
            const accepted = await fetch(`${server.url}/queries/orders/show`, {
              method: "POST",
              headers,
              body: original,
            });
            assert.equal(accepted.status, 200);
            await accepted.body?.cancel();
          },
        ),
        propertyParameters(40),
      );
    });

    it("the bus over an HMAC client calls through, and over a client with the wrong secret is refused", async () => {
      const good = createBus({
        transport: createHttpTransport({ url: server.url, auth: { hmac: { secret: SECRET } } }),
      });
      assert.deepEqual(await good.query("orders/show", { id: "o-9" }), { shown: { id: "o-9" } });
      await good.close();
      const bad = createBus({
        transport: createHttpTransport({ url: server.url, auth: { hmac: { secret: "wrong" } } }),
      });
      await assert.rejects(
        bad.query("orders/show", {}),
        (e) => e instanceof UnauthenticatedError && e.scheme === "ORDO-HMAC-SHA256",
      );
      await bad.close();
    });
  });

  it("auth: { none: true } accepts every request, and says so explicitly", async () => {
    const { server } = await serve({ none: true });
    const bus = createBus({
      transport: createHttpTransport({ url: server.url, auth: { none: true } }),
    });
    assert.deepEqual(await bus.query("orders/show", 3), { shown: 3 });
    await bus.close();
    await server.close();
  });
});
