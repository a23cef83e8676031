// The store's coalesced rounds (its NOTIFY of the readable head): a request is answered only by a
// round that started after it, requests made together share one round, and a
// failed round fails only its own requests.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CoalescedRounds } from "../../stores/postgres/coalesced_rounds.ts";

describe("CoalescedRounds", () => {
  it("runs one round for requests made in the same turn", async () => {
    let runs = 0;
    const rounds = new CoalescedRounds(async () => {
      runs++;
    });
    await Promise.all([rounds.request(), rounds.request(), rounds.request()]);
    assert.equal(runs, 1);
  });

  it("answers a request made during a round with the next round, which all such requests share", async () => {
    const started: number[] = [];
    let release!: () => void;
    const rounds = new CoalescedRounds(async () => {
      started.push(started.length);
      if (started.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = rounds.request();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(started, [0], "the first round is running");
    let secondDone = false;
    const second = rounds.request().then(() => (secondDone = true));
    const third = rounds.request();
    release();
    await first;
    assert.equal(secondDone, false, "a request made during round 1 was answered by round 1");
    await Promise.all([second, third]);
    assert.deepEqual(started, [0, 1]);
  });

  it("rejects the requests of a failed round only, and runs the next one", async () => {
    let calls = 0;
    const rounds = new CoalescedRounds(async () => {
      calls++;
      if (calls === 1) throw new Error("server gone");
    });
    const failed = rounds.request();
    void rounds.request(); // not awaited: must not surface as an unhandled rejection
    await assert.rejects(failed, /server gone/);
    await rounds.request();
    assert.equal(calls, 2);
    await rounds.idle();
  });

  it("property: every request is answered by a round that started after it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 15 }), async (s, requests) => {
        let clock = 0;
        const roundStarts: number[] = [];
        // Each round starts, then ends when the scheduler says so; the round's
        // start time is what a request must come before.
        const rounds = new CoalescedRounds(async () => {
          roundStarts.push(++clock);
          await s.schedule(Promise.resolve(), "round ends");
        });
        const answers: Promise<void>[] = [];
        const checks: Promise<void>[] = [];
        // The scheduler interleaves the requests with the rounds' ends.
        for (let i = 0; i < requests; i++) {
          checks.push(
            s.schedule(Promise.resolve(), `request ${i}`).then(() => {
              const askedAt = ++clock;
              const roundsBefore = roundStarts.length;
              const answer = rounds.request().then(() => {
                const answering = roundStarts.slice(roundsBefore);
                assert.ok(
                  answering.some((start) => start > askedAt),
                  `request at ${askedAt} answered before a round started after it`,
                );
              });
              answers.push(answer);
            }),
          );
        }
        while (s.count() > 0 || checks.length > 0) {
          await s.waitAll();
          await Promise.all(checks.splice(0));
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        await Promise.all(answers);
        await rounds.idle();
        // Coalescing: never more rounds than requests.
        assert.ok(roundStarts.length <= requests);
      }),
      { numRuns: 200 },
    );
  });
});
