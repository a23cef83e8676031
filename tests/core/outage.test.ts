// An outage of retried work: said once when it begins, once when it ends,
// with how long it lasted, however many attempts failed in between.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Outage, stillFailingAt } from "../../core/mod.ts";

describe("Outage", () => {
  it("begins at the first failure, ends at the first success, and measures from the first failure", () => {
    let now = 1_000;
    const outage = new Outage(() => now);
    assert.equal(outage.worked(), undefined, "a success with no outage ends nothing");
    assert.equal(outage.failing, false);
    assert.equal(outage.failed(), true, "the first failure begins it");
    now += 700;
    assert.equal(outage.failed(), false, "later failures are the same outage");
    assert.equal(outage.failing, true);
    now += 534.4;
    assert.deepEqual(outage.worked(), { downMs: 1234 });
    assert.equal(outage.failing, false);
    assert.equal(outage.worked(), undefined, "ended once");
    now += 10;
    assert.equal(outage.failed(), true, "a new failure begins a new one");
    now += 5;
    assert.deepEqual(outage.worked(), { downMs: 5 });
  });
});

describe("Outage counted from when the fault began", () => {
  it("counts from beganMsAgo, never from before the last success, and says downMs while failing", () => {
    let now = 10_000;
    const outage = new Outage(() => now);
    assert.equal(outage.downMs, undefined, "not failing");
    // A request started 5 s ago timed out: the outage began then, not now.
    assert.equal(outage.failed(5_000), true);
    assert.equal(outage.downMs, 5_000);
    now += 1_000;
    assert.deepEqual(outage.worked(), { downMs: 6_000 });
    // The next fault said to begin 60 s ago is counted from the success 2 s ago.
    now += 2_000;
    outage.failed(60_000);
    now += 500;
    assert.deepEqual(outage.worked(), { downMs: 2_500 });
    // Nonsense (negative, not a number) counts from now.
    outage.failed(-5);
    assert.equal(outage.downMs, 0);
    outage.worked();
    outage.failed(Number.NaN);
    assert.equal(outage.downMs, 0);
  });

  it("reminds by the time since the fault began", () => {
    let now = 100_000;
    const outage = new Outage(() => now);
    outage.failed(5_000);
    now += 55_000;
    assert.deepEqual(outage.remind(), { downMs: 60_000 });
  });
});

describe("Outage counted from when the fault began", () => {
  it("counts from beganMsAgo, never from before the last success, and says downMs while failing", () => {
    let now = 10_000;
    const outage = new Outage(() => now);
    assert.equal(outage.downMs, undefined, "not failing");
    // A request started 5 s ago timed out: the outage began then, not now.
    assert.equal(outage.failed(5_000), true);
    assert.equal(outage.downMs, 5_000);
    now += 1_000;
    assert.deepEqual(outage.worked(), { downMs: 6_000 });
    // The next fault said to begin 60 s ago is counted from the success 2 s ago.
    now += 2_000;
    outage.failed(60_000);
    now += 500;
    assert.deepEqual(outage.worked(), { downMs: 2_500 });
    // Nonsense (negative, not a number) counts from now.
    outage.failed(-5);
    assert.equal(outage.downMs, 0);
    outage.worked();
    outage.failed(Number.NaN);
    assert.equal(outage.downMs, 0);
  });

  it("reminds by the time since the fault began", () => {
    let now = 100_000;
    const outage = new Outage(() => now);
    outage.failed(5_000);
    now += 55_000;
    assert.deepEqual(outage.remind(), { downMs: 60_000 });
  });
});

describe("Outage counted from when the fault began", () => {
  it("counts from beganMsAgo, never from before the last success, and says downMs while failing", () => {
    let now = 10_000;
    const outage = new Outage(() => now);
    assert.equal(outage.downMs, undefined, "not failing");
    // A request started 5 s ago timed out: the outage began then, not now.
    assert.equal(outage.failed(5_000), true);
    assert.equal(outage.downMs, 5_000);
    now += 1_000;
    assert.deepEqual(outage.worked(), { downMs: 6_000 });
    // The next fault said to begin 60 s ago is counted from the success 2 s ago.
    now += 2_000;
    outage.failed(60_000);
    now += 500;
    assert.deepEqual(outage.worked(), { downMs: 2_500 });
    // Nonsense (negative, not a number) counts from now.
    outage.failed(-5);
    assert.equal(outage.downMs, 0);
    outage.worked();
    outage.failed(Number.NaN);
    assert.equal(outage.downMs, 0);
  });

  it("reminds by the time since the fault began", () => {
    let now = 100_000;
    const outage = new Outage(() => now);
    outage.failed(5_000);
    now += 55_000;
    assert.deepEqual(outage.remind(), { downMs: 60_000 });
  });
});

describe("Outage reminders", () => {
  it("are due after 1 min, 10 min, then every hour of one outage, each once, with downMs; a new outage starts them again", () => {
    let now = 0;
    const outage = new Outage(() => now);
    assert.equal(outage.remind(), undefined, "no outage, no reminder");
    outage.failed();
    now = 59_999;
    assert.equal(outage.remind(), undefined);
    now = 60_000;
    assert.deepEqual(outage.remind(), { downMs: 60_000 });
    assert.equal(outage.remind(), undefined, "said once");
    now = 600_000;
    assert.deepEqual(outage.remind(), { downMs: 600_000 });
    now = 3_600_000 - 1;
    assert.equal(outage.remind(), undefined);
    // Hours skipped (nothing failed in between) give one reminder, not one per hour missed.
    now = 3 * 3_600_000 + 5;
    assert.deepEqual(outage.remind(), { downMs: 3 * 3_600_000 + 5 });
    assert.equal(outage.remind(), undefined);
    now = 4 * 3_600_000;
    assert.deepEqual(outage.remind(), { downMs: 4 * 3_600_000 });
    outage.worked();
    outage.failed();
    now += 60_000;
    assert.deepEqual(
      outage.remind(),
      { downMs: 60_000 },
      "the next outage reminds from its own start",
    );
  });

  it("follow the schedule given", () => {
    let now = 0;
    const outage = new Outage(() => now, (reminder) => 10 * (reminder + 1));
    outage.failed();
    now = 10;
    assert.deepEqual(outage.remind(), { downMs: 10 });
    now = 19;
    assert.equal(outage.remind(), undefined);
    now = 20;
    assert.deepEqual(outage.remind(), { downMs: 20 });
    assert.deepEqual([0, 1, 2, 3, 4].map(stillFailingAt), [
      60_000,
      600_000,
      3_600_000,
      7_200_000,
      10_800_000,
    ]);
  });
});
