import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { backoffDelay, checkRetryPolicy, DEFAULT_RETRY_POLICY } from "../../core/consumers/mod.ts";
import { ValidationError } from "../../mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

describe("backoffDelay()", () => {
  it("draws each delay between 0 and a cap that doubles from initialDelay up to maxDelay", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempt, r) => {
          const policy = checkRetryPolicy({ random: () => r });
          const cap = Math.min(30_000, 100 * 2 ** (attempt - 1));
          const delay = backoffDelay(policy, attempt);
          assert.ok(delay >= 0 && delay <= cap, `${delay} within [0, ${cap}]`);
          assert.equal(delay, Math.floor(r * cap));
        },
      ),
      propertyParameters(200),
    );
  });

  it("gives a whole number of ms, 0 up to maxDelay, at any attempt, initialDelay 0 included", () => {
    // 2 ** 1024 overflows to Infinity: a policy of no delay once gave NaN there (0 × Infinity).
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.constantFrom(0, 1, 100),
        fc.constantFrom(0, 50, 30_000),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempt, initialDelay, maxDelay, r) => {
          const policy = checkRetryPolicy({ initialDelay, maxDelay, random: () => r });
          const delay = backoffDelay(policy, attempt);
          assert.ok(Number.isInteger(delay) && delay >= 0 && delay <= maxDelay, `${delay}`);
        },
      ),
      propertyParameters(300),
    );
  });

  it("has the documented defaults", () => {
    assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 5);
    assert.equal(backoffDelay(checkRetryPolicy({ random: () => 0.5 }), 3), 200);
  });

  it("checkRetryPolicy() refuses values out of range, naming the field", () => {
    for (
      const [policy, path] of [
        [{ maxAttempts: 0 }, "options.retry.maxAttempts"],
        [{ initialDelay: -1 }, "options.retry.initialDelay"],
        [{ maxDelay: Infinity }, "options.retry.maxDelay"],
        [{ multiplier: 0.5 }, "options.retry.multiplier"],
      ] as const
    ) {
      assert.throws(
        () => checkRetryPolicy(policy),
        (e) => e instanceof ValidationError && e.path === path,
      );
    }
  });
});
