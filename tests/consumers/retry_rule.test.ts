// A retry policy's own rule (`delays`): asked after each failed handler
// attempt, made afresh per delivery, it decides the wait and when to park.
// Without one, deliveryRetries() is exactly the exponential backoff up to
// maxAttempts, as before.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { backoffDelay, checkRetryPolicy, deliveryRetries } from "../../core/consumers/backoff.ts";
import {
  createConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  type RetryPolicy,
  ValidationError,
} from "../../mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

describe("retry rules (RetryPolicy.delays)", () => {
  it("deliveryRetries() without a rule gives backoffDelay() before maxAttempts and parks at it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        async (max, attempt, r) => {
          const policy = checkRetryPolicy({ maxAttempts: max, random: () => r });
          const expected = attempt < max ? backoffDelay(policy, attempt) : undefined;
          assert.equal(await deliveryRetries(policy)(attempt, new Error("x")), expected);
        },
      ),
      propertyParameters(200),
    );
  });

  it("a consumer asks the rule after each failure, with the attempt and the error, and parks when it answers undefined", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "Bad", data: {} }, { type: "Good", data: {} }]);
    const asked: [number, string][] = [];
    const handled: string[] = [];
    const consumer = createConsumer(store, {
      group: "rule",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      // maxAttempts is not used with a rule: the rule allows three attempts.
      retry: {
        maxAttempts: 1,
        delays: () =>
        (
          attempt,
          error,
        ) => (asked.push([attempt, (error as Error).message]), attempt < 3 ? 1 : undefined),
      },
      handler: (message, { attempt }) => {
        if (message.type === "Bad") throw new RangeError(`attempt ${attempt}`);
        handled.push(message.type);
      },
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.deepEqual(asked, [[1, "attempt 1"], [2, "attempt 2"], [3, "attempt 3"]]);
    const [parked] = await consumer.listParked();
    assert.equal(parked.attempts, 3);
    assert.equal(parked.error.message, "attempt 3");
    assert.deepEqual(handled, ["Good"]);
  });

  it("makes the rule afresh for every delivery, so two messages' retries do not share its state", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "Bad", data: { n: 1 } }, {
      type: "Bad",
      data: { n: 2 },
    }]);
    let made = 0;
    const retry: RetryPolicy = {
      delays: () => {
        made++;
        let failures = 0; // this delivery's own count
        return () => (++failures < 2 ? 0 : undefined);
      },
    };
    const consumer = createConsumer(store, {
      group: "fresh-rule",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry,
      handler: () => {
        throw new Error("always");
      },
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.equal(made, 2);
    assert.deepEqual((await consumer.listParked()).map((p) => p.attempts), [2, 2]);
  });

  it("a rule answering something other than a delay is reported and its message parked; the consumer goes on", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "Bad", data: {} }, { type: "Good", data: {} }]);
    const errors: unknown[] = [];
    const handled: string[] = [];
    const consumer = createConsumer(store, {
      group: "broken-rule",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry: { delays: () => () => Number.NaN },
      onError: (error) => void errors.push(error),
      handler: (message) => {
        if (message.type === "Bad") throw new Error("bad");
        handled.push(message.type);
      },
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.ok(
      errors.some((e) => e instanceof ValidationError && e.path === "retry.delays() answer"),
      "the broken rule was not reported",
    );
    assert.equal((await consumer.listParked())[0]?.attempts, 1);
    assert.deepEqual(handled, ["Good"]);
  });

  it("checkRetryPolicy() refuses a delays that is not a function, naming the field", () => {
    assert.throws(
      () => checkRetryPolicy({ delays: 5 as unknown as RetryPolicy["delays"] }),
      (e) => e instanceof ValidationError && e.path === "options.retry.delays",
    );
  });
});
