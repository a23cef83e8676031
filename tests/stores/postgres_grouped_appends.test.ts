// The store's group commit of one-message appends: appends made together go
// out as one group, a group never holds two appends of one stream or one id,
// each stream's appends run one after another in the order they were made,
// no more groups run at once than allowed, and every append gets its own outcome.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  GroupedAppends,
  type GroupEntry,
  type Outcome,
} from "../../stores/postgres/grouped_appends.ts";

const LIMITS = { maxInFlight: 1, maxGroup: 100, maxGroupBytes: 1 << 20 };
const entry = (
  stream: string,
  id: string = crypto.randomUUID(),
  bytes = 1,
): GroupEntry<string> => ({ stream, id, bytes, item: id });
const echo = async (items: readonly string[]): Promise<Outcome<string>[]> =>
  items.map((value) => ({ ok: true, value }));

describe("GroupedAppends", () => {
  it("sends a lone append at once, alone, and groups the appends made while it runs", async () => {
    const groups: string[][] = [];
    let release!: () => void;
    const grouped = new GroupedAppends<string, string>(async (items) => {
      groups.push(items.map((id) => id.slice(0, 1)));
      if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return await echo(items);
    }, LIMITS);
    const first = grouped.submit(entry("a-1", "a"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(
      groups,
      [["a"]],
      "the first append went out alone, without waiting for company",
    );
    const later = [
      grouped.submit(entry("b-1", "b")),
      grouped.submit(entry("c-1", "c")),
      grouped.submit(entry("d-1", "d")),
    ];
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(groups.length, 1, "appends made while the limit of groups runs wait");
    release();
    assert.equal(await first, "a");
    assert.deepEqual(await Promise.all(later), ["b", "c", "d"]);
    assert.deepEqual(groups, [["a"], ["b", "c", "d"]]);
  });

  it("gives each append its own outcome, and a failed run fails its own group only", async () => {
    let runs = 0;
    const grouped = new GroupedAppends<string, string>(async (items) => {
      runs++;
      if (runs === 1) throw new Error("server gone");
      return items.map((
        id,
      ) => (id === "bad"
        ? { ok: false, error: new Error(`refused ${id}`) }
        : { ok: true, value: id })
      );
    }, LIMITS);
    await assert.rejects(grouped.submit(entry("a-1", "lost")), /server gone/);
    const outcomes = await Promise.allSettled([
      grouped.submit(entry("a-1", "good")),
      grouped.submit(entry("b-1", "bad")),
    ]);
    assert.deepEqual(outcomes[0], { status: "fulfilled", value: "good" });
    assert.equal(outcomes[1].status, "rejected");
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /refused bad/);
    await grouped.idle();
  });

  it("property: groups respect streams, ids and limits, and each stream's appends run in order", async () => {
    const submission = fc.record({
      stream: fc.integer({ min: 0, max: 3 }),
      id: fc.integer({ min: 0, max: 6 }),
      bytes: fc.integer({ min: 1, max: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(submission, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        async (s, submissions, maxInFlight, maxGroup, maxGroupBytes) => {
          const running = new Set<number>(); // indexes of appends in running groups
          const ranAt: number[] = []; // each append's start, by submission index
          let inFlight = 0;
          let clock = 0;
          const grouped = new GroupedAppends<number, number>(async (items) => {
            inFlight++;
            assert.ok(
              inFlight <= maxInFlight,
              `${inFlight} groups ran at once, over ${maxInFlight}`,
            );
            assert.ok(items.length <= maxGroup, `a group of ${items.length}, over ${maxGroup}`);
            const bytes = items.reduce((sum, i) => sum + submissions[i].bytes, 0);
            assert.ok(
              items.length === 1 || bytes <= maxGroupBytes,
              `a group of ${bytes} bytes, over ${maxGroupBytes}`,
            );
            const streams = items.map((i) => submissions[i].stream);
            const ids = items.map((i) => submissions[i].id);
            assert.equal(
              new Set(streams).size,
              items.length,
              "two appends of one stream in a group",
            );
            assert.equal(new Set(ids).size, items.length, "two appends of one id in a group");
            for (const i of items) {
              for (const other of running) {
                assert.notEqual(
                  submissions[other].stream,
                  submissions[i].stream,
                  "two appends of one stream ran at once",
                );
              }
              running.add(i);
              ranAt[i] = ++clock;
            }
            await s.schedule(Promise.resolve(), `group of ${items.join(",")} ends`);
            for (const i of items) running.delete(i);
            inFlight--;
            return items.map((
              i,
            ) => (i % 5 === 4 ? { ok: false, error: i } : { ok: true, value: i }));
          }, { maxInFlight, maxGroup, maxGroupBytes });

          // The scheduler releases submissions in an order of its choosing:
          // madeAt records the order they were made in.
          const madeAt: number[] = [];
          let made = 0;
          const settled: Promise<void>[] = [];
          submissions.forEach(({ stream, id, bytes }, i) =>
            s.schedule(Promise.resolve(), `submit ${i}`).then(() => {
              madeAt[i] = made++;
              settled.push(
                grouped.submit({ stream: `s-${stream}`, id: `id-${id}`, bytes, item: i }).then(
                  (value) => assert.equal(value, i, "an append got another's result"),
                  (error) => assert.equal(error, i, "an append got another's error"),
                ),
              );
            })
          );
          while (s.count() > 0 || settled.length < submissions.length) {
            await s.waitAll();
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
          await Promise.all(settled);
          await grouped.idle();
          assert.equal(
            ranAt.filter((t) => t !== undefined).length,
            submissions.length,
            "every append ran once",
          );
          // Per stream: run in the order made.
          for (let a = 0; a < submissions.length; a++) {
            for (let b = 0; b < submissions.length; b++) {
              if (submissions[a].stream !== submissions[b].stream || madeAt[a] >= madeAt[b]) {
                continue;
              }
              assert.ok(
                ranAt[a] < ranAt[b],
                `appends ${a} and ${b} of one stream ran out of order`,
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
