// An HTTP event subscription the server refuses for good (a wrong token, a
// category the credential may not follow, a URL where the stream's route is
// unknown) stops: its `ready` rejects with the server's error, logged once as
// an error, and the stream is not asked for again. A failure that may pass
// (a 503, a refused connection) is still retried until the stream opens.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ForbiddenError, NotFoundError, UnauthenticatedError } from "../../core/mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { TOKEN } from "./_http_fixture.ts";
import { type Line, recordingLogger, startEventServer } from "./_http_subscription_fixture.ts";

/** A server whose credential may follow the events of `orders/…` only, and a counter of the client's stream requests. */
async function serve(basePath?: string) {
  const { server, close } = await startEventServer({
    allow: { subscribe: ["orders/*"] },
    basePath,
  });
  let opened = 0;
  const lines: Line[] = [];
  const client = (token: string, url = server.url) =>
    createHttpTransport({
      url,
      auth: { bearer: token },
      reconnect: { initialDelay: 1, maxDelay: 5 },
      logger: recordingLogger(lines),
      fetch: (url, init) => {
        if (url.includes("/events/stream")) opened++;
        return fetch(url, init);
      },
    });
  return {
    server,
    lines,
    client,
    opened: () => opened,
    close,
  };
}

/** What `ready` settles with within `ms`: its error, "ready", or "pending". */
function settled(ready: Promise<void>, ms = 2_000): Promise<unknown> {
  return Promise.race([
    ready.then(() => "ready", (error) => error),
    new Promise((resolve) => setTimeout(() => resolve("pending"), ms)),
  ]);
}

describe("HTTP subscribe() refused by the server", () => {
  const cases = [
    {
      name: "a wrong token (401)",
      token: "guess",
      selector: ["orders/placed"],
      basePath: undefined,
      expected: UnauthenticatedError,
    },
    {
      name: "a category the credential may not follow (403)",
      token: TOKEN,
      selector: { category: "users" },
      basePath: undefined,
      expected: ForbiddenError,
    },
    {
      name: "a URL where the stream's route is unknown (404)",
      token: TOKEN,
      selector: ["orders/placed"],
      basePath: "/ordo",
      expected: NotFoundError,
    },
  ] as const;
  for (const c of cases) {
    it(`rejects ready with the server's error and stops, for ${c.name}`, async () => {
      const served = await serve(c.basePath);
      const transport = served.client(c.token);
      const errors: unknown[] = [];
      const registration = transport.subscribe("spy", c.selector, () => {}, {
        onError: (error) => void errors.push(error),
      });
      const outcome = await settled(registration.ready);
      assert.ok(outcome instanceof c.expected, `ready settled with ${String(outcome)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(served.opened(), 1, "the stream was asked for once, not again");
      const logged = served.lines.filter((line) => line.level !== "debug");
      assert.deepEqual(logged.map((line) => [line.level, line.message]), [
        ["error", "Event stream refused; subscription stopped"],
      ]);
      assert.equal(logged[0].fields?.error, outcome);
      assert.deepEqual(errors, [outcome]);
      // The group is free again, and stop() still resolves.
      const again = transport.subscribe("spy", c.selector, () => {});
      await assert.rejects(again.ready, c.expected);
      await registration.stop();
      await transport.close();
      await served.close();
    });
  }

  it("keeps reconnecting after a 503 or a refused connection, and is ready once the stream opens", async () => {
    const served = await serve();
    let failuresLeft = 3;
    const lines: Line[] = [];
    const transport = createHttpTransport({
      url: served.server.url,
      auth: { bearer: TOKEN },
      reconnect: { initialDelay: 1, maxDelay: 5 },
      logger: recordingLogger(lines),
      fetch: (url, init) => {
        if (!url.includes("/events/stream") || failuresLeft-- <= 0) return fetch(url, init);
        return failuresLeft % 2 === 0
          ? Promise.resolve(new Response("Service Unavailable", { status: 503 }))
          : fetch("http://127.0.0.1:9/", init);
      },
    });
    const registration = transport.subscribe("billing", ["orders/placed"], () => {});
    assert.equal(await settled(registration.ready, 10_000), "ready");
    assert.deepEqual(lines.map((line) => [line.level, line.message]), [
      ["warn", "Event stream failed; reconnecting"],
      ["info", "Event stream reconnected"],
    ]);
    await transport.close();
    await served.close();
  });
});
