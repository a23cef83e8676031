// Client-side fault tolerance of the bus, over a transport that fails on demand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StoreUnavailableError, TimeoutError, ValidationError } from "../../core/mod.ts";
import { createBus, createCircuitBreaker, isCircuitOpenError, type Transport } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";

/** An in-process transport whose query() fails with `failure()` while it returns an error. */
function flaky(failure: () => unknown): { transport: Transport; calls: () => number } {
  const inner = createInProcessTransport();
  let calls = 0;
  const transport: Transport = {
    ...Object.fromEntries((["send", "sendAndWait", "publish", "handleCommand", "handleQuery", "subscribe", "close"] as const).map((k) => [k, inner[k].bind(inner)])) as unknown as Transport,
    query: (query, options) => {
      calls++;
      const error = failure();
      return error === undefined ? inner.query(query, options) : Promise.reject(error);
    },
  };
  return { transport, calls: () => calls };
}

describe("bus fault tolerance", () => {
  it("retries a call that found the transport unavailable, with backoff, and succeeds", async () => {
    let failuresLeft = 2;
    const { transport, calls } = flaky(() => (failuresLeft-- > 0 ? new StoreUnavailableError("query", "connection refused") : undefined));
    const bus = createBus({ transport, retry: { maxAttempts: 3, initialDelay: 1 } });
    bus.handleQuery("orders/show", () => "ok");
    assert.equal(await bus.query("orders/show", {}), "ok");
    assert.equal(calls(), 3);
    await bus.close();
  });

  it("does not retry a refusal (ValidationError) or a handler's error", async () => {
    const { transport, calls } = flaky(() => new ValidationError("query", "x", "nope"));
    const bus = createBus({ transport, retry: { maxAttempts: 5, initialDelay: 1 } });
    await assert.rejects(bus.query("orders/show", {}), ValidationError);
    assert.equal(calls(), 1);
    await bus.close();
  });

  it("opens the circuit after failures in a row, then fails fast without calling the transport", async () => {
    const { transport, calls } = flaky(() => new StoreUnavailableError("query", "connection refused"));
    const states: string[] = [];
    const bus = createBus({ transport, retry: false, circuitBreaker: { failureThreshold: 3, coolDown: 60_000, onStateChange: (c) => states.push(c.to) } });
    for (let i = 0; i < 3; i++) await assert.rejects(bus.query("orders/show", {}), StoreUnavailableError);
    assert.equal(bus.circuitBreaker?.state, "open");
    await assert.rejects(bus.query("orders/show", {}), (e) => isCircuitOpenError(e) && /circuit breaker is open/.test((e as Error).message));
    assert.equal(calls(), 3);
    assert.deepEqual(states, ["open"]);
    await bus.close();
  });

  it("counts timeouts against the breaker and closes again after a successful trial", async () => {
    let now = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 2, coolDown: 1000, clock: () => now });
    const bus = createBus({ transport: createInProcessTransport(), circuitBreaker: breaker, retry: false });
    let slow = true;
    bus.handleQuery("orders/show", () => (slow ? new Promise((resolve) => setTimeout(resolve, 500)) : "fast"));
    for (let i = 0; i < 2; i++) await assert.rejects(bus.query("orders/show", {}, { timeout: 20 }), TimeoutError);
    assert.equal(breaker.state, "open");
    now = 1000;
    slow = false;
    assert.equal(await bus.query("orders/show", {}), "fast");
    assert.equal(breaker.state, "closed");
    await bus.close();
  });

  it("a caller's signal aborts a call", async () => {
    const bus = createBus({ transport: createInProcessTransport() });
    bus.handleQuery("orders/slow", () => new Promise((resolve) => setTimeout(resolve, 200)));
    const controller = new AbortController();
    const pending = bus.query("orders/slow", {}, { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await assert.rejects(pending, /caller gave up/);
    await bus.close();
  });

  it("refuses bad names at the sender", async () => {
    const bus = createBus({ transport: createInProcessTransport() });
    await assert.rejects(bus.send({ type: "nolock", data: {} }), (e) => e instanceof ValidationError && e.path === "command.type");
    await assert.rejects(bus.send({ type: "users-x/lock", data: {} }), (e) => e instanceof ValidationError && e.path === "command.type");
    await assert.rejects(bus.send({ type: "users/lock", data: {}, id: "not-a-uuid" }), (e) => e instanceof ValidationError && e.path === "command.id");
    await bus.close();
  });
});
