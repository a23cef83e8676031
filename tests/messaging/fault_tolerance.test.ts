// Client-side fault tolerance of the bus, over a transport that fails on
// demand (its promise-returning port) and over the in-process transport's
// direct calls (handlers that answer, throw or stall in the caller's turn).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CircuitOpenError,
  StoreUnavailableError,
  TimeoutError,
  ValidationError,
} from "../../core/mod.ts";
import {
  type CircuitBreaker,
  createBus,
  createCircuitBreaker,
  type Transport,
} from "../../core/messaging/mod.ts";
import { TRANSPORT_METHODS } from "../../core/messaging/transport_check.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

/** An in-process transport whose query() fails with `failure()` while it returns an error. */
function flaky(failure: () => unknown): { transport: Transport; calls: () => number } {
  const inner = createInProcessTransport();
  let calls = 0;
  const transport: Transport = {
    ...Object.fromEntries(
      ([
        "send",
        "sendAndWait",
        "publish",
        "handleCommand",
        "handleQuery",
        "subscribe",
        "close",
      ] as const).map((k) => [k, inner[k].bind(inner)]),
    ) as unknown as Transport,
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
    const { transport, calls } = flaky(
      () => (failuresLeft-- > 0
        ? new StoreUnavailableError("query", "connection refused")
        : undefined),
    );
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
    const { transport, calls } = flaky(() =>
      new StoreUnavailableError("query", "connection refused")
    );
    const states: string[] = [];
    const bus = createBus({
      transport,
      retry: false,
      circuitBreaker: {
        failureThreshold: 3,
        coolDown: 60_000,
        onStateChange: (c) => states.push(c.to),
      },
    });
    for (let i = 0; i < 3; i++) {
      await assert.rejects(bus.query("orders/show", {}), StoreUnavailableError);
    }
    assert.equal(bus.circuitBreaker?.state, "open");
    await assert.rejects(
      bus.query("orders/show", {}),
      (e) =>
        e instanceof CircuitOpenError && e.operation === 'query "orders/show"' &&
        e.retryAfter > 59_000 && e.retryAfter <= 60_000,
    );
    assert.equal(calls(), 3);
    assert.deepEqual(states, ["open"]);
    await bus.close();
  });

  it("counts timeouts against the breaker and closes again after a successful trial", async () => {
    let now = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 2, coolDown: 1000, clock: () => now });
    const bus = createBus({
      transport: createInProcessTransport(),
      circuitBreaker: breaker,
      retry: false,
    });
    let slow = true;
    bus.handleQuery(
      "orders/show",
      () => (slow ? new Promise((resolve) => setTimeout(resolve, 500)) : "fast"),
    );
    for (let i = 0; i < 2; i++) {
      await assert.rejects(bus.query("orders/show", {}, { timeout: 20 }), TimeoutError);
    }
    assert.equal(breaker.state, "open");
    now = 1000;
    slow = false;
    assert.equal(await bus.query("orders/show", {}), "fast");
    assert.equal(breaker.state, "closed");
    await bus.close();
  });

  it("a half-open breaker's probe that its caller aborts frees the trial slot, and is heard neither as success nor failure", async () => {
    let now = 0;
    const breaker = createCircuitBreaker({
      failureThreshold: 1,
      coolDown: 1000,
      halfOpenCalls: 1,
      successThreshold: 2,
      clock: () => now,
    });
    const stuck = heldAnswers();
    for (const direct of [true, false]) {
      const inner = createInProcessTransport();
      const bus = createBus({
        transport: direct ? inner : portOnly(inner),
        circuitBreaker: breaker,
        retry: false,
      });
      let hang = true;
      bus.handleQuery("orders/show", () => (hang ? stuck.hold() : "shown"));
      if (breaker.state === "closed") {
        await assert.rejects(bus.query("orders/show", {}, { timeout: 20 }), TimeoutError);
      }
      assert.equal(breaker.state, "open");
      now += 1000;
      const controller = new AbortController();
      const probe = bus.query("orders/show", {}, { signal: controller.signal });
      controller.abort(new Error("the caller gave up"));
      await assert.rejects(probe, /the caller gave up/);
      // The probe's handler still runs; its slot is free all the same, for another probe.
      hang = false;
      assert.equal(await bus.query("orders/show", {}), "shown", `direct: ${direct}`);
      // The aborted probe's late answer is no second success: one of two, still half-open.
      stuck.release();
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.equal(breaker.state, "half-open", `direct: ${direct}`);
      // Open it again for the next round.
      hang = true;
      await assert.rejects(bus.query("orders/show", {}, { timeout: 20 }), TimeoutError);
      stuck.release();
      await bus.close();
    }
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

  it("retry takes a policy object or false, and refuses anything else saying what to write", async () => {
    const cases: [unknown, RegExp][] = [
      [5, /or false for none; for 5 attempts in all, write \{ maxAttempts: 5 \}$/],
      ["5", /or false for none; for 5 attempts in all, write \{ maxAttempts: 5 \}$/],
      [true, /retries are on by default: leave retry out, or write \{ maxAttempts: … \}$/],
      [null, /expected a retry policy \{ maxAttempts\?, .*\} or false for none$/],
      [[3], /expected a retry policy/],
    ];
    for (const [retry, message] of cases) {
      assert.throws(
        () => createBus({ transport: createInProcessTransport(), retry: retry as never }),
        (e) =>
          e instanceof ValidationError && e.path === "options.retry" && message.test(e.message),
        JSON.stringify(retry),
      );
    }
    // A handler's retry is a policy object (no false): the same refusal without "or false".
    const bus = createBus({ transport: createInProcessTransport() });
    assert.throws(
      () => bus.handleCommand("users/lock", () => {}, { retry: 5 as never }),
      (e) =>
        e instanceof ValidationError && e.path === "options.retry" &&
        /\}; for 5 attempts in all, write \{ maxAttempts: 5 \}$/.test(e.message) &&
        !/or false/.test(e.message),
    );
    // The documented forms still work: false is one attempt, a policy its own.
    for (
      const [retry, attempts] of [[false, 1], [{ maxAttempts: 2, initialDelay: 1 }, 2]] as const
    ) {
      const { transport, calls } = flaky(() => new StoreUnavailableError("query", "down"));
      const b = createBus({ transport, retry, circuitBreaker: false });
      await assert.rejects(b.query("orders/show", {}), StoreUnavailableError);
      assert.equal(calls(), attempts);
      await b.close();
    }
    await bus.close();
  });

  it("refuses bad names at the sender", async () => {
    const bus = createBus({ transport: createInProcessTransport() });
    await assert.rejects(
      bus.send({ type: "nolock", data: {} }),
      (e) => e instanceof ValidationError && e.path === "command.type",
    );
    await assert.rejects(
      bus.send({ type: "users-x/lock", data: {} }),
      (e) => e instanceof ValidationError && e.path === "command.type",
    );
    await assert.rejects(
      bus.send({ type: "users/lock", data: {}, id: "not-a-uuid" }),
      (e) => e instanceof ValidationError && e.path === "command.id",
    );
    await bus.close();
  });

  it("query() answered in the caller's turn but after its deadline rejects with a TimeoutError that counts against the breaker", async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, coolDown: 60_000 });
    const bus = createBus({ transport: createInProcessTransport(), circuitBreaker: breaker });
    bus.handleQuery("orders/slow", () => {
      busyFor(40);
      return "too late";
    });
    await assert.rejects(
      bus.query("orders/slow", {}, { timeout: 10 }),
      (e) => e instanceof TimeoutError && e.timeoutMs === 10,
    );
    assert.equal(breaker.state, "open");
    await bus.close();
  });

  it("query() whose in-process handler never settles rejects with a TimeoutError, not before its deadline", async () => {
    const bus = createBus({ transport: createInProcessTransport() });
    // Held until the end: close() waits for a running handler, whoever gave up on its answer.
    const stuck = heldAnswers();
    bus.handleQuery("orders/stuck", stuck.hold);
    const started = Date.now();
    const error = await bus.query("orders/stuck", {}, { timeout: 40 }).catch((e) => e);
    const waited = Date.now() - started;
    assert.ok(
      error instanceof TimeoutError && /query "orders\/stuck"/.test(error.message),
      String(error),
    );
    assert.ok(waited >= 40 && waited < 5_000, `rejected after ${waited} ms`);
    stuck.release();
    await bus.close();
  });

  it("an abort rejects a pending in-process query at once, and an aborted signal calls no handler", async () => {
    const bus = createBus({ transport: createInProcessTransport() });
    let calls = 0;
    const stuck = heldAnswers();
    bus.handleQuery("orders/stuck", () => (calls++, stuck.hold()));
    const controller = new AbortController();
    // The default 10 s timeout is the only other way out: a rejection now must be the abort.
    const pending = bus.query("orders/stuck", {}, { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await assert.rejects(pending, /caller gave up/);
    await assert.rejects(
      bus.query("orders/stuck", {}, { signal: controller.signal }),
      /caller gave up/,
    );
    assert.equal(calls, 1);
    stuck.release();
    await bus.close();
  });

  it("a handler that aborts its caller's signal while it answers: the abort wins, as it would against a slower answer", async () => {
    const bus = createBus({ transport: createInProcessTransport() });
    const controller = new AbortController();
    bus.handleQuery("orders/rude", () => {
      controller.abort(new Error("aborted while answering"));
      return "answer";
    });
    await assert.rejects(
      bus.query("orders/rude", {}, { signal: controller.signal }),
      /aborted while answering/,
    );
    await bus.close();
  });

  it("retries a transport that fails with StoreUnavailableError in the caller's turn, then opens the circuit", async () => {
    let calls = 0;
    const bus = createBus({
      transport: portOnly(createInProcessTransport(), () => {
        calls++;
        return true;
      }),
      retry: { maxAttempts: 3, initialDelay: 1 },
      circuitBreaker: { failureThreshold: 6, coolDown: 60_000 },
    });
    bus.handleQuery("orders/down", () => "never reached");
    await assert.rejects(
      bus.query("orders/down", {}),
      (e) => e instanceof StoreUnavailableError,
    );
    assert.equal(calls, 3);
    await assert.rejects(bus.query("orders/down", {}), StoreUnavailableError);
    assert.equal(calls, 6);
    assert.equal(bus.circuitBreaker?.state, "open");
    await assert.rejects(bus.query("orders/down", {}), CircuitOpenError);
    assert.equal(calls, 6);
    await bus.close();
  });

  it("a handler's own error in the caller's turn is not retried and counts as an answer for the breaker, a retryable one too", async () => {
    let calls = 0;
    const bus = createBus({
      transport: createInProcessTransport(),
      retry: { maxAttempts: 5, initialDelay: 1 },
      circuitBreaker: { failureThreshold: 1 },
    });
    bus.handleQuery("orders/picky", () => {
      calls++;
      throw new RangeError("no such order");
    });
    // Its read model is down: the handler says so, and that is its answer, not the call failing.
    bus.handleQuery("orders/down", () => {
      calls++;
      throw new StoreUnavailableError("read model", "not loaded");
    });
    for (let i = 0; i < 3; i++) await assert.rejects(bus.query("orders/picky", {}), RangeError);
    for (let i = 0; i < 3; i++) {
      await assert.rejects(bus.query("orders/down", {}), StoreUnavailableError);
    }
    assert.equal(calls, 6);
    assert.equal(bus.circuitBreaker?.state, "closed");
    await bus.close();
  });

  it("property: every call ends once, as its handler decided, and the breaker hears each attempt exactly once, as its model says (an abort releases its slot)", async () => {
    type Behaviour =
      | "value"
      | "throw"
      | "unavailable-once"
      | "async-value"
      | "async-throw"
      | "late"
      | "stall"
      | "abort";
    const behaviour = fc.constantFrom<Behaviour>(
      "value",
      "throw",
      "unavailable-once",
      "async-value",
      "async-throw",
      "late",
      "stall",
      "abort",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(behaviour, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (plan, direct) => {
          const counts = { acquired: 0, success: 0, failure: 0, release: 0 };
          const breaker = counting(createCircuitBreaker({ failureThreshold: 1_000 }), counts);
          const inner = createInProcessTransport();
          // Without the direct calls the bus goes through the port: both paths must keep the same
          // promises. "unavailable-once" is the port's failure there (retried); with direct calls
          // nothing lies between the bus and the handler, so it is the handler's, an answer.
          const failedOnce = new Set<number>();
          const failsFirst = (payload: unknown) => {
            const i = payload as number;
            if (plan[i] !== "unavailable-once" || failedOnce.has(i)) return false;
            failedOnce.add(i);
            return true;
          };
          const transport = direct ? inner : portOnly(inner, failsFirst);
          const bus = createBus({
            transport,
            circuitBreaker: breaker,
            retry: { maxAttempts: 2, initialDelay: 1 },
          });
          const attempts = new Map<number, number>();
          const lateAnswers: Promise<string>[] = [];
          const stuck = heldAnswers();
          bus.handleQuery("orders/plan", (payload) => {
            const i = payload as number;
            const attempt = (attempts.get(i) ?? 0) + 1;
            attempts.set(i, attempt);
            switch (plan[i]) {
              case "value":
                return `answer ${i}`;
              case "throw":
                throw new RangeError(`refused ${i}`);
              case "unavailable-once":
                if (direct) throw new StoreUnavailableError("orders", "blip");
                return `answer ${i}`;
              case "async-value":
                return Promise.resolve().then(() => `answer ${i}`);
              case "async-throw":
                return Promise.reject(new RangeError(`refused ${i}`));
              case "late": {
                // Answers after its 30 ms deadline: the timeout has told the breaker, the answer must not tell it again.
                const answer = new Promise<string>((resolve) =>
                  setTimeout(() => resolve(`answer ${i}`), 60)
                );
                lateAnswers.push(answer);
                return answer;
              }
              default:
                return stuck.hold();
            }
          });
          const outcomes = await Promise.all(plan.map((kind, i) => {
            const controller = new AbortController();
            // Only the calls meant to time out get the short deadline: a loaded
            // machine may delay a retry's timer past 30 ms, and that is not a fault.
            const timeout = kind === "late" || kind === "stall" || kind === "abort" ? 30 : 10_000;
            const call = bus.query("orders/plan", i, { timeout, signal: controller.signal });
            if (kind === "abort") controller.abort(new Error(`aborted ${i}`));
            return call.then(
              (value) => `ok ${value}`,
              (
                error: Error,
              ) => (error instanceof TimeoutError ? "timeout" : `${error.name} ${error.message}`),
            );
          }));
          plan.forEach((kind, i) => {
            const expected = kind === "unavailable-once" && direct
              ? "StoreUnavailableError Store unavailable during orders: blip"
              : kind === "value" || kind === "async-value" || kind === "unavailable-once"
              ? `ok answer ${i}`
              : kind === "throw" || kind === "async-throw"
              ? `RangeError refused ${i}`
              : kind === "stall" || kind === "late"
              ? "timeout"
              : `Error aborted ${i}`;
            assert.equal(outcomes[i], expected, `call ${i} (${kind})`);
            assert.equal(attempts.get(i), 1, `handler calls of call ${i} (${kind})`);
          });
          await Promise.all(lateAnswers);
          // The aborted calls' handlers end too (they were stalled): what they bring no one hears.
          stuck.release();
          await new Promise((resolve) => setTimeout(resolve, 0));
          // The breaker's model: an answer (a value or the handler's own error) is a success,
          // the port's failure and a timeout are failures, a caller's abort gives the slot back.
          const expected = { acquired: 0, success: 0, failure: 0, release: 0 };
          for (const kind of plan) {
            expected.acquired++;
            if (kind === "late" || kind === "stall") expected.failure++;
            else if (kind === "abort") expected.release++;
            else if (kind === "unavailable-once" && !direct) {
              expected.acquired++;
              expected.failure++;
              expected.success++;
            } else expected.success++;
          }
          assert.deepEqual(counts, expected);
          await bus.close();
        },
      ),
      propertyParameters(40),
    );
  });
});

/**
 * Handler answers that stay pending until `release()`: a handler that never
 * ends, for as long as a test needs one, since `close()` waits for every
 * running handler and would otherwise never resolve.
 */
function heldAnswers(): { hold: () => Promise<string>; release: () => void } {
  const waiting: (() => void)[] = [];
  return {
    hold: () => new Promise<string>((resolve) => waiting.push(() => resolve("released"))),
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

/** Blocks the thread until `ms` have passed by the clock: an answer computed that slowly is late by construction. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* spin */ }
}

/**
 * The transport's port alone (its own methods, none of its extras), so the bus
 * cannot take a shortcut; a query whose payload `failsNow` picks fails at the
 * port, in the caller's turn, with StoreUnavailableError (a failure of the
 * transport, not an answer of the handler).
 */
function portOnly(inner: Transport, failsNow?: (payload: unknown) => boolean): Transport {
  const port = Object.fromEntries(
    TRANSPORT_METHODS.map((k) => [k, inner[k].bind(inner)]),
  ) as unknown as Transport;
  if (failsNow === undefined) return port;
  return {
    ...port,
    query: (query, options) => {
      if (failsNow(query.payload)) throw new StoreUnavailableError("orders", "blip");
      return inner.query(query, options);
    },
  };
}

/** A real breaker that also counts acquired slots and the outcomes reported for them. */
function counting(
  breaker: CircuitBreaker,
  counts: { acquired: number; success: number; failure: number; release: number },
): CircuitBreaker {
  return {
    get state() {
      return breaker.state;
    },
    get retryAfter() {
      return breaker.retryAfter;
    },
    tryAcquire: () => breaker.tryAcquire() && ++counts.acquired > 0,
    success: () => (counts.success++, breaker.success()),
    failure: () => (counts.failure++, breaker.failure()),
    release: () => (counts.release++, breaker.release()),
    subscribe: (listener) => breaker.subscribe(listener),
  };
}
