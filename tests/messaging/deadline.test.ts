// Deadlines keep one timer per timeout value over a ring of calls, and a call
// also checks the clock when it settles. These tests drive the ring past its
// compaction threshold, settle answers after the deadline but before the
// timer could run, and abort calls, and check that every call ends exactly
// once: with its own result, its signal's reason, or a TimeoutError.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TimeoutError } from "../../core/mod.ts";
import { Deadlines } from "../../core/messaging/mod.ts";

const never = () => new Promise<never>(() => {});

/** Blocks the thread until `ms` have passed by the clock: an answer computed that slowly is late by construction. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* spin */ }
}

describe("Deadlines", () => {
  it("times out only the calls that outlive their timeout, across thousands of quick ones", async () => {
    const deadlines = new Deadlines();
    try {
      const outcomes: Promise<string>[] = [];
      for (let i = 0; i < 5000; i++) {
        const slow = i % 1000 === 999;
        // A generous timeout: the quick calls settle within microtasks, so only a stall of a second could make one late.
        const call = deadlines.run(() => (slow ? never() : Promise.resolve(`ok ${i}`)), {
          timeout: 1000,
          operation: `call ${i}`,
        });
        outcomes.push(
          call.then(
            (value) => value,
            (error) => (error instanceof TimeoutError ? `timeout ${i}` : `error ${i}`),
          ),
        );
        // Let the quick calls settle now and then, so finished entries pile up at the head.
        if (i % 100 === 0) await Promise.resolve();
      }
      const results = await Promise.all(outcomes);
      results.forEach((result, i) =>
        assert.equal(result, i % 1000 === 999 ? `timeout ${i}` : `ok ${i}`)
      );
    } finally {
      deadlines.close();
    }
  });

  it("still times out a call that waited behind thousands of finished ones (after the lane compacted)", async () => {
    const deadlines = new Deadlines();
    try {
      // 3000 calls in flight, then one that never ends, then the 3000 finish: the head of the lane is
      // all finished entries, so the next call compacts it and moves the stuck one to the front.
      const quick: (() => void)[] = [];
      const first = Array.from(
        { length: 3000 },
        (_, i) =>
          deadlines.run(() => new Promise<number>((resolve) => quick.push(() => resolve(i))), {
            timeout: 200,
            operation: `quick ${i}`,
          }),
      );
      const stuck = deadlines.run(never, { timeout: 200, operation: "stuck" }).catch((error) =>
        error
      );
      for (const finish of quick) finish();
      assert.deepEqual(await Promise.all(first), Array.from({ length: 3000 }, (_, i) => i));
      const after = await deadlines.run(() => Promise.resolve("after"), {
        timeout: 200,
        operation: "after compaction",
      });
      assert.equal(after, "after");
      const alsoStuck = deadlines.run(never, { timeout: 200, operation: "also stuck" }).catch((
        error,
      ) => error);
      const [a, b] = await Promise.all([stuck, alsoStuck]);
      assert.ok(a instanceof TimeoutError && /stuck/.test(a.message), String(a));
      assert.ok(b instanceof TimeoutError && /also stuck/.test(b.message), String(b));
    } finally {
      deadlines.close();
    }
  });

  it("rejects a call that never settles with a TimeoutError, not before its deadline", async () => {
    const deadlines = new Deadlines();
    try {
      const started = Date.now();
      const error = await deadlines.run(never, { timeout: 40, operation: 'query "orders/show"' })
        .catch((e) => e);
      const waited = Date.now() - started;
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.timeoutMs, 40);
      assert.match(error.message, /query "orders\/show"/);
      assert.ok(waited >= 40, `rejected after ${waited} ms`);
      assert.ok(waited < 5_000, `rejected after ${waited} ms`);
    } finally {
      deadlines.close();
    }
  });

  it("an answer that comes after the deadline, before the timer ran, is a TimeoutError", async () => {
    const deadlines = new Deadlines();
    try {
      let expired = 0;
      // The answer is computed in a microtask that keeps the thread busy past the deadline, so the
      // lane's timer cannot have run yet when the answer settles: only the check on settle catches it.
      const late = deadlines.run(() => Promise.resolve().then(() => (busyFor(40), "late")), {
        timeout: 10,
        operation: "late answer",
        onExpire: () => expired++,
      });
      await assert.rejects(late, (e) => e instanceof TimeoutError && e.timeoutMs === 10);
      assert.equal(expired, 1);
    } finally {
      deadlines.close();
    }
  });

  it("the caller's signal rejects a running call at once with its reason, and aborts the call's scope", async () => {
    const deadlines = new Deadlines();
    try {
      const controller = new AbortController();
      let scopeSignal: AbortSignal | undefined;
      const pending = deadlines.run((scope) => {
        scopeSignal = scope.signal;
        return never();
      }, { timeout: 60_000, signal: controller.signal, operation: "abortable" });
      controller.abort(new Error("caller gave up"));
      // Nothing else would end this call for a minute: the rejection can only come from the abort.
      await assert.rejects(pending, /caller gave up/);
      assert.equal(scopeSignal?.aborted, true);
    } finally {
      deadlines.close();
    }
  });

  it("an already aborted signal rejects without running the operation", async () => {
    const deadlines = new Deadlines();
    try {
      let ran = false;
      const reason = new Error("too late");
      await assert.rejects(
        deadlines.run(async () => (ran = true), {
          timeout: 100,
          signal: AbortSignal.abort(reason),
          operation: "x",
        }),
        (e) => e === reason,
      );
      assert.equal(ran, false);
    } finally {
      deadlines.close();
    }
  });

  it("expires pending calls with different timeouts each at its own time", async () => {
    const deadlines = new Deadlines();
    try {
      const started = Date.now();
      const times = await Promise.all(
        [60, 20, 40].map((timeout) =>
          deadlines.run(never, { timeout, operation: `wait ${timeout}` }).catch(() =>
            Date.now() - started
          )
        ),
      );
      assert.ok(
        times[1] < times[2] && times[2] < times[0],
        `expired in order of their timeouts: ${times}`,
      );
    } finally {
      deadlines.close();
    }
  });
});
