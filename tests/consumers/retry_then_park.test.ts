// retryThenPark, the loop the transports' event groups, command handlers and
// NATS deliveries share: how each way of ending it reads (handled, parked,
// stopped), the lines it writes, and what it parks at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkRetryPolicy,
  createConsoleLogger,
  retryThenPark,
  type RetryThenParkOptions,
  ValidationError,
} from "../../core/mod.ts";

const MESSAGE = { id: "m-1", type: "orders/placed", streamName: "order-1" };

/** Options that record what the loop tells them; `overrides` replace any of them. */
function recorded(overrides: Partial<RetryThenParkOptions<string>> = {}) {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const parked: [unknown, number][] = [];
  const attempts: number[] = [];
  const options: RetryThenParkOptions<string> = {
    group: "billing",
    message: MESSAGE,
    retry: checkRetryPolicy({ maxAttempts: 3, initialDelay: 1, maxDelay: 2 }),
    logger: createConsoleLogger({ write: (line) => void lines.push(line) }),
    attempt: (attempt) => {
      attempts.push(attempt);
      return Promise.reject(new RangeError(`attempt ${attempt} failed`));
    },
    onError: (error) => void errors.push(error),
    park: (error, count) => void parked.push([error, count]),
    ...overrides,
  };
  const kinds = () => lines.map((line) => /^ordo \w+: [^=]+?(?= \w+=)/.exec(line)?.[0]);
  return { options, lines, kinds, errors, parked, attempts };
}

describe("retryThenPark()", () => {
  it("retryThenPark() answers the handler's value once an attempt succeeds, the failures before it logged and told to onError", async () => {
    const r = recorded();
    const delivery = await retryThenPark({
      ...r.options,
      attempt: (attempt) => {
        r.attempts.push(attempt);
        return attempt < 2 ? Promise.reject(new RangeError("not yet")) : Promise.resolve("done");
      },
    });
    assert.deepEqual(delivery, { outcome: "handled", value: "done" });
    assert.deepEqual(r.attempts, [1, 2]);
    assert.deepEqual(r.kinds(), ["ordo error: Handler failed"]);
    assert.equal(r.errors.length, 1);
    assert.deepEqual(r.parked, []);
  });

  it("retryThenPark() parks with the last error after maxAttempts: a line per attempt, then Message parked", async () => {
    const r = recorded();
    const delivery = await retryThenPark(r.options);
    assert.equal(delivery.outcome, "parked");
    assert.deepEqual(r.attempts, [1, 2, 3]);
    assert.deepEqual(r.kinds(), [
      "ordo error: Handler failed",
      "ordo error: Handler failed",
      "ordo error: Handler failed",
      "ordo warn: Message parked",
    ]);
    assert.equal(r.parked.length, 1);
    assert.match(String(r.parked[0][0]), /attempt 3 failed/);
    assert.equal(r.parked[0][1], 3);
  });

  it("retryThenPark() parks a ValidationError after one attempt, whatever the policy allows", async () => {
    const r = recorded({
      attempt: () => Promise.reject(new ValidationError("data.orderId", 5, "must be a string")),
    });
    const delivery = await retryThenPark(r.options);
    assert.equal(delivery.outcome, "parked");
    assert.equal(delivery.outcome === "parked" && delivery.attempts, 1);
    assert.deepEqual(r.kinds(), ["ordo error: Handler failed", "ordo warn: Message parked"]);
  });

  it("retryThenPark() given firstFailure starts from it: the next call is attempt 2", async () => {
    const r = recorded();
    await retryThenPark({ ...r.options, firstFailure: { error: new RangeError("fast path") } });
    assert.deepEqual(r.attempts, [2, 3]);
    assert.match(r.lines[0], /attempt=1 error="RangeError: fast path"/);
  });

  it("retryThenPark() ends stopped, with the last error and no other attempt, when the signal aborts a wait", async () => {
    const stop = new AbortController();
    const r = recorded({
      retry: checkRetryPolicy({ maxAttempts: 3, initialDelay: 60_000, random: () => 0.99 }),
      signal: stop.signal,
      onError: () => stop.abort(),
    });
    const delivery = await retryThenPark(r.options);
    assert.equal(delivery.outcome, "stopped");
    assert.match(String(delivery.outcome === "stopped" && delivery.error), /attempt 1 failed/);
    assert.deepEqual(r.attempts, [1]);
    assert.deepEqual(r.parked, []);
  });

  it("retryThenPark() parks when the retry rule throws, after logging Retry rule failed and telling onError", async () => {
    const r = recorded({
      retry: checkRetryPolicy({
        delays: () => () => {
          throw new TypeError("broken rule");
        },
      }),
    });
    const delivery = await retryThenPark(r.options);
    assert.equal(delivery.outcome, "parked");
    assert.deepEqual(r.kinds(), [
      "ordo error: Handler failed",
      "ordo error: Retry rule failed; parking the message",
      "ordo warn: Message parked",
    ]);
    assert.match(String(r.errors[1]), /broken rule/);
  });
});
