// An outage of retried work: said once when it begins, once when it ends,
// with how long it lasted, however many attempts failed in between.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Outage } from "../../core/mod.ts";

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
