// Deadlines keep one timer per timeout value over a ring of entries; these
// tests drive it past its compaction threshold and check that every call
// either settles with its own result or times out, never both or neither.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TimeoutError } from "../../core/mod.ts";
import { Deadlines } from "../../core/messaging/mod.ts";

describe("Deadlines", () => {
  it("times out only the calls that outlive their timeout, across thousands of quick ones", async () => {
    const deadlines = new Deadlines();
    try {
      const never = new Promise<never>(() => {});
      const outcomes: Promise<string>[] = [];
      for (let i = 0; i < 5000; i++) {
        const slow = i % 1000 === 999;
        const call = deadlines.run(() => (slow ? never : Promise.resolve(`ok ${i}`)), { timeout: 30, operation: `call ${i}` });
        outcomes.push(call.then((value) => value, (error) => (error instanceof TimeoutError ? `timeout ${i}` : `error ${i}`)));
        // Let the quick calls settle now and then, so finished entries pile up at the head.
        if (i % 100 === 0) await Promise.resolve();
      }
      const results = await Promise.all(outcomes);
      results.forEach((result, i) => assert.equal(result, i % 1000 === 999 ? `timeout ${i}` : `ok ${i}`));
    } finally {
      deadlines.close();
    }
  });

  it("expires pending calls with different timeouts each at its own time", async () => {
    const deadlines = new Deadlines();
    try {
      const never = () => new Promise<never>(() => {});
      const started = Date.now();
      const times = await Promise.all([60, 20, 40].map((timeout) =>
        deadlines.run(never, { timeout, operation: `wait ${timeout}` }).catch(() => Date.now() - started)
      ));
      assert.ok(times[1] < times[2] && times[2] < times[0], `expired in order of their timeouts: ${times}`);
    } finally {
      deadlines.close();
    }
  });
});
