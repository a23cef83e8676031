// The HTTP client's close() with a sendAndWait in flight: the call rejects
// with ClosedError and close() returns at once, without waiting for the
// server's answer, whether or not the configured fetch honours the signal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClosedError, silentLogger } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { startHttpServer, TOKEN } from "./_http_fixture.ts";

/** A server whose `slow/run` answers after 3 s. */
async function slowServer() {
  const inner = createInProcessTransport({ logger: silentLogger });
  const bus = createBus({ transport: inner, logger: silentLogger });
  bus.handleCommand("slow/run", async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return "done";
  });
  const handler = createHttpHandler({ transport: inner, auth: { bearer: TOKEN } });
  const server = await startHttpServer(handler);
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await bus.close();
    },
  };
}

const fetches = {
  "the global fetch": (url: string, init: RequestInit) => fetch(url, init),
  // A wrapper (tracing, retries) that passes the request on without its signal.
  "a fetch that drops the signal": (url: string, init: RequestInit) =>
    fetch(url, { method: init.method, headers: init.headers, body: init.body }),
};

describe("HTTP client close() with a sendAndWait in flight", () => {
  for (const [name, fetchOption] of Object.entries(fetches)) {
    it(`close() returns promptly and the call rejects with ClosedError (${name})`, async () => {
      const server = await slowServer();
      const bus = createBus({
        transport: createHttpTransport({
          url: server.url,
          auth: { bearer: TOKEN },
          fetch: fetchOption,
        }),
        logger: silentLogger,
      });
      const call = bus.sendAndWait({ type: "slow/run", data: {} }).then(
        () => "answered",
        (error) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      await bus.close();
      const took = performance.now() - started;
      const outcome = await call;
      assert.ok(outcome instanceof ClosedError, `the call settled with ${outcome}`);
      assert.ok(took < 300, `close() took ${Math.round(took)} ms`);
      await server.close();
    });
  }
});
