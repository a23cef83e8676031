// Interrupting a fiber that runs a bus call cancels the call itself, not only
// the fiber's wait: the fiber's AbortSignal reaches the transport for send,
// sendAndWait, query and publish. Over HTTP (a real node:http server started
// here) the request is aborted, so closing the bus's scope does not wait for
// an answer no one wants; it used to wait until the server answered.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Effect, Exit, Fiber, Scope } from "effect";
import { createBus, silentLogger, type Transport } from "../../mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { type BusService, makeBus } from "../../effect/mod.ts";
import { startHttpServer, TOKEN } from "../messaging/_http_fixture.ts";
import { until } from "../_until.ts";

/** A transport whose client calls wait until their signal aborts, and say which did. */
function waitingForAbort(): { transport: Transport; aborted: string[]; waiting: string[] } {
  const inner = createInProcessTransport({ logger: silentLogger });
  const aborted: string[] = [];
  const waiting: string[] = [];
  const wait = (call: string, signal: AbortSignal | undefined) =>
    new Promise<never>((_, reject) => {
      waiting.push(call);
      signal?.addEventListener("abort", () => {
        aborted.push(call);
        reject(signal.reason);
      }, { once: true });
    });
  const transport: Transport = {
    send: (_command, options) => wait("send", options?.signal),
    sendAndWait: (_command, options) => wait("sendAndWait", options?.signal),
    query: (_query, options) => wait("query", options?.signal),
    publish: (_event, options) => wait("publish", options?.signal),
    handleCommand: (name, handler, options) => inner.handleCommand(name, handler, options),
    handleQuery: (name, handler) => inner.handleQuery(name, handler),
    subscribe: (group, selector, handler, options) =>
      inner.subscribe(group, selector, handler, options),
    close: () => inner.close(),
  };
  return { transport, aborted, waiting };
}

/** A bus made in a scope of its own, and that scope. */
async function busIn(transport: Transport): Promise<{ bus: BusService; scope: Scope.Closeable }> {
  const scope = await Effect.runPromise(Scope.make());
  const bus = await Effect.runPromise(
    Scope.provide(scope)(makeBus({ transport, logger: silentLogger })),
  );
  return { bus, scope };
}

describe("interrupting an Effect bus call", () => {
  it("aborts the transport's call for send(), sendAndWait(), query() and publish()", async () => {
    const { transport, aborted, waiting } = waitingForAbort();
    const { bus, scope } = await busIn(transport);
    const calls = {
      send: bus.send({ type: "orders/place", data: {} }, { timeout: "1 minute" }),
      sendAndWait: bus.sendAndWait({ type: "orders/place", data: {} }, { timeout: "1 minute" }),
      query: bus.query("orders/show", {}, { timeout: "1 minute" }),
      publish: bus.publish({ type: "orders/placed", data: {} }, { timeout: "1 minute" }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const fiber = Effect.runFork(call as Effect.Effect<unknown, unknown>);
      await until(() => waiting.includes(name), `the ${name} call`);
      await Effect.runPromise(Fiber.interrupt(fiber));
      await until(() => aborted.includes(name), `the abort of the ${name} call`, 5_000);
    }
    assert.deepEqual(aborted, ["send", "sendAndWait", "query", "publish"]);
    await Effect.runPromise(Scope.close(scope, Exit.void));
  });

  describe("over HTTP", () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    after(() => release());

    it("interrupting query() cancels its request: the bus's scope closes at once, not when the server answers", async () => {
      const inner = createInProcessTransport({ logger: silentLogger });
      const server = createBus({ transport: inner, logger: silentLogger });
      let started = false;
      server.handleQuery("orders/show", async () => {
        started = true;
        await released;
        return "shown";
      });
      const running = await startHttpServer(
        createHttpHandler({ transport: inner, auth: { bearer: TOKEN }, logger: silentLogger }),
      );
      const { bus, scope } = await busIn(
        createHttpTransport({ url: running.url, auth: { bearer: TOKEN } }),
      );
      const fiber = Effect.runFork(bus.query("orders/show", {}, { timeout: "1 minute" }));
      await until(() => started, "the query handler");
      await Effect.runPromise(Fiber.interrupt(fiber));
      const closing = Effect.runPromise(Scope.close(scope, Exit.void)).then(() => "closed");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise((resolve) => (timer = setTimeout(resolve, 2_000, "still open")));
      assert.equal(await Promise.race([closing, late]), "closed");
      clearTimeout(timer);
      release();
      await server.close();
      await running.close();
    });
  });
});
