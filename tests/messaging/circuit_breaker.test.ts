import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ValidationError } from "../../core/mod.ts";
import {
  type CircuitState,
  type CircuitStateChange,
  createCircuitBreaker,
} from "../../core/messaging/circuit_breaker.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

describe("createCircuitBreaker()", () => {
  it("opens after failureThreshold failures in a row and refuses calls until the cool-down passes", () => {
    let now = 0;
    const changes: CircuitStateChange[] = [];
    const breaker = createCircuitBreaker({
      failureThreshold: 3,
      coolDown: 1000,
      clock: () => now,
      onStateChange: (c) => changes.push(c),
    });
    for (let i = 0; i < 2; i++) assert.ok(breaker.tryAcquire()), breaker.failure();
    assert.equal(breaker.state, "closed");
    breaker.tryAcquire();
    breaker.failure();
    assert.equal(breaker.state, "open");
    assert.equal(breaker.tryAcquire(), false);
    assert.equal(breaker.retryAfter, 1000);
    now = 999;
    assert.equal(breaker.tryAcquire(), false);
    now = 1000;
    assert.equal(breaker.state, "half-open");
    assert.deepEqual(changes.map((c) => `${c.from}->${c.to}@${c.at}`), [
      "closed->open@0",
      "open->half-open@1000",
    ]);
  });

  it("a success resets the count of failures in a row", () => {
    const breaker = createCircuitBreaker({ failureThreshold: 2 });
    breaker.tryAcquire(), breaker.failure();
    breaker.tryAcquire(), breaker.success();
    breaker.tryAcquire(), breaker.failure();
    assert.equal(breaker.state, "closed");
  });

  it("half-open lets halfOpenCalls trials through; a success closes it, a failure opens it again", () => {
    let now = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 1, coolDown: 10, clock: () => now });
    breaker.tryAcquire(), breaker.failure();
    now = 10;
    assert.equal(breaker.tryAcquire(), true);
    assert.equal(breaker.tryAcquire(), false, "only one trial at a time");
    breaker.failure();
    assert.equal(breaker.state, "open");
    now = 20;
    assert.equal(breaker.tryAcquire(), true);
    breaker.success();
    assert.equal(breaker.state, "closed");
  });

  it("subscribe() reports changes until unsubscribed", () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, coolDown: 0 });
    const seen: string[] = [];
    const off = breaker.subscribe((c) => seen.push(c.to));
    breaker.tryAcquire(), breaker.failure();
    off();
    void breaker.state;
    assert.deepEqual(seen, ["open"]);
  });

  it("refuses options out of range, naming them", () => {
    assert.throws(
      () => createCircuitBreaker({ failureThreshold: 0 }),
      (e) => e instanceof ValidationError && e.path === "options.failureThreshold",
    );
    assert.throws(
      () => createCircuitBreaker({ coolDown: -1 }),
      (e) => e instanceof ValidationError && e.path === "options.coolDown",
    );
  });

  it("createBus() refuses a breaker option at options.circuitBreaker, naming the key it likely meant", () => {
    const transport = createInProcessTransport();
    const refused = (circuitBreaker: unknown, path: string, reason: RegExp) =>
      assert.throws(
        () => createBus({ transport, circuitBreaker: circuitBreaker as { coolDown: number } }),
        (e: unknown) => e instanceof ValidationError && e.path === path && reason.test(e.reason),
      );
    refused(
      { treshold: 2 },
      "options.circuitBreaker.treshold",
      /unknown option; did you mean "failureThreshold"\?/,
    );
    refused(
      { resetTimeout: 1000 },
      "options.circuitBreaker.resetTimeout",
      /did you mean "coolDown"/,
    );
    refused({ failureThreshold: 0 }, "options.circuitBreaker.failureThreshold", /at least 1/);
  });

  it("property: matches a reference model over any sequence of outcomes and clock steps", () => {
    type Step = { kind: "call"; ok: boolean } | { kind: "wait"; ms: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant("call" as const), ok: fc.boolean() }),
      fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 150 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 60 }),
        (threshold, successes, steps) => {
          let now = 0;
          const breaker = createCircuitBreaker({
            failureThreshold: threshold,
            coolDown: 100,
            successThreshold: successes,
            clock: () => now,
          });
          // The reference model.
          let state: CircuitState = "closed";
          let failures = 0;
          let wins = 0;
          let openedAt = 0;
          for (const s of steps) {
            if (s.kind === "wait") {
              now += s.ms;
              continue;
            }
            if (state === "open" && now - openedAt >= 100) (state = "half-open"), (wins = 0);
            const allowed: boolean = (state as CircuitState) !== "open";
            assert.equal(breaker.tryAcquire(), allowed, `at ${now} in ${state}`);
            if (!allowed) continue;
            if (s.ok) {
              breaker.success();
              if (state === "closed") failures = 0;
              else if (++wins >= successes) (state = "closed"), (failures = 0);
            } else {
              breaker.failure();
              if (state === "half-open" || ++failures >= threshold) {
                (state = "open"), (openedAt = now), (failures = 0);
              }
            }
            assert.equal(breaker.state, state);
            // Invariant: a closed breaker has never just seen `threshold` failures in a row while closed.
            if (state === "closed") assert.ok(failures < threshold);
          }
        },
      ),
      propertyParameters(300),
    );
  });
});
