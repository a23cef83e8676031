// sendAndWait() of a command no handler answers: in-process, where every
// handler is in this process, it fails at once with NotFoundError (as a
// query does); where the handler may run in another process, it waits, and
// the TimeoutError says that no handler may be registered.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NotFoundError, silentLogger, TimeoutError } from "../../core/mod.ts";
import { createBus, type Transport } from "../../core/messaging/mod.ts";
import { TRANSPORT_METHODS } from "../../core/messaging/transport_check.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { keptLogger } from "../_kept_logger.ts";
import { eventually } from "./_bus_suite.ts";

describe("sendAndWait() of a command no handler answers", () => {
  it("in-process: rejects at once with NotFoundError naming the command; send() still waits for a handler", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    const started = Date.now();
    await assert.rejects(
      bus.sendAndWait({ type: "users/lock", data: {} }, { timeout: 5_000 }),
      (e) =>
        e instanceof NotFoundError && e.kind === "command" && e.target === "users/lock" &&
        /no handler is registered for it in this process/.test(e.message),
    );
    assert.ok(Date.now() - started < 1_000, "at once, not at the timeout");
    const seen: unknown[] = [];
    await bus.send({ type: "users/lock", data: "sent first" });
    bus.handleCommand("users/lock", (command) => (seen.push(command.data), "locked"));
    await eventually(() => seen.length === 1, 5_000, "the command sent before its handler");
    assert.equal(await bus.sendAndWait({ type: "users/lock", data: "then" }), "locked");
    await bus.close();
  });

  it("store-backed: times out, saying no handler of it is registered in this process", async () => {
    const store = createMemoryStore({ logger: silentLogger });
    const bus = createBus({
      transport: createStoreBackedTransport(store, {
        storage: createMemoryConsumerStorage(),
        logger: silentLogger,
      }),
    });
    await assert.rejects(
      bus.sendAndWait({ type: "users/lock", data: {} }, { timeout: 100 }),
      (e) =>
        e instanceof TimeoutError && e.operation === 'sendAndWait "users/lock"' &&
        /^Timed out after 100 ms: sendAndWait "users\/lock": no handler of it is registered in this process; is the service that handles it running\?$/
          .test(e.message),
    );
    // A handler that is registered but slow: a plain timeout, no hint.
    bus.handleCommand("users/slow", () => new Promise((resolve) => setTimeout(resolve, 500)));
    await assert.rejects(
      bus.sendAndWait({ type: "users/slow", data: {} }, { timeout: 100 }),
      (e) =>
        e instanceof TimeoutError &&
        e.message === 'Timed out after 100 ms: sendAndWait "users/slow"',
    );
    await bus.close();
    await store.close();
  });

  it("a transport that cannot tell (no handles()): times out, asking whether a handler is registered", async () => {
    const inner = createInProcessTransport({ logger: silentLogger });
    // The port's methods alone (no handles()), sendAndWait never answering.
    const silent = {
      ...Object.fromEntries(TRANSPORT_METHODS.map((k) => [k, inner[k].bind(inner)])),
      sendAndWait: () => new Promise(() => {}),
    } as unknown as Transport;
    const bus = createBus({ transport: silent, retry: false });
    await assert.rejects(
      bus.sendAndWait({ type: "users/lock", data: {} }, { timeout: 50 }),
      (e) =>
        e instanceof TimeoutError &&
        /: no handler answered; is one registered for "users\/lock", and is its service running\?$/
          .test(e.message),
    );
    await bus.close();
  });

  it("a transport that knows why (unansweredHint) is heard first, with the wait's start", async () => {
    const inner = createInProcessTransport({ logger: silentLogger });
    const asked: number[] = [];
    const transport = (handles?: boolean, hint?: (since: number) => string | undefined) =>
      ({
        ...Object.fromEntries(TRANSPORT_METHODS.map((k) => [k, inner[k].bind(inner)])),
        sendAndWait: () => new Promise(() => {}),
        ...(handles === undefined ? {} : { handles: () => handles }),
        unansweredHint: hint ?? ((since: number) => {
          asked.push(since);
          return "the link was down during the wait";
        }),
      }) as unknown as Transport;
    const started = Date.now();
    const asking = createBus({ transport: transport(), retry: false });
    await assert.rejects(
      asking.sendAndWait({ type: "users/lock", data: {} }, { timeout: 50 }),
      (e) =>
        e instanceof TimeoutError &&
        e.message ===
          'Timed out after 50 ms: sendAndWait "users/lock": the link was down during the wait; if not that, no handler answered; is one registered for "users/lock", and is its service running?',
    );
    assert.equal(asked.length, 1);
    assert.ok(Math.abs(asked[0] - started) < 40, `since ${asked[0] - started} ms from the call`);
    // A handler registered here (slow) leaves the transport's word alone.
    const slow = createBus({ transport: transport(true), retry: false });
    await assert.rejects(
      slow.sendAndWait({ type: "users/lock", data: {} }, { timeout: 50 }),
      (e) =>
        e instanceof TimeoutError &&
        e.message ===
          'Timed out after 50 ms: sendAndWait "users/lock": the link was down during the wait',
    );
    // One that knows of nothing, or throws (logged on its logger), leaves the question alone.
    const logger = keptLogger();
    for (
      const hint of [() => undefined, () => {
        throw new Error("broken hint");
      }]
    ) {
      const bus = createBus({
        transport: Object.assign(transport(undefined, hint), { logger }),
        retry: false,
      });
      await assert.rejects(
        bus.sendAndWait({ type: "users/lock", data: {} }, { timeout: 50 }),
        (e) =>
          e instanceof TimeoutError &&
          /^Timed out after 50 ms: sendAndWait "users\/lock": no handler answered; /.test(
            e.message,
          ),
      );
      await bus.close();
    }
    assert.deepEqual(logger.lines, ["error: Transport's unansweredHint threw"]);
    await Promise.all([asking.close(), slow.close()]);
  });
});
