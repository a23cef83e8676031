import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PositionWaiters } from "../../core/mod.ts";

describe("PositionWaiters", () => {
  it("wakes only the waits whose position the head passed", async () => {
    const waiters = new PositionWaiters();
    const low = waiters.wait(1n, 1n, { timeout: 5000 });
    const high = waiters.wait(5n, 1n, { timeout: 5000 });
    waiters.notify(2n);
    assert.equal(await low, true);
    assert.equal(waiters.size, 1);
    waiters.notify(6n);
    assert.equal(await high, true);
    assert.equal(waiters.size, 0);
  });

  it("leaves no wait behind after a timeout or an abort", async () => {
    const waiters = new PositionWaiters();
    assert.equal(await waiters.wait(0n, 0n, { timeout: 5 }), false);
    const controller = new AbortController();
    const aborted = waiters.wait(0n, 0n, { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    assert.equal(waiters.size, 0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const waiters = new PositionWaiters();
    await assert.rejects(
      waiters.wait(0n, 5n, { signal: AbortSignal.abort(new Error("gone")) }),
      /gone/,
    );
  });
});
