// fast-check properties of the EventStore port. A failing property prints its
// seed and shrunk counterexample (fast-check does); ORDO_FC_SEED replays one.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConcurrencyError, type ExpectedVersion, type RecordedMessage } from "../../mod.ts";
import { isStrictlyIncreasing, messages, readEverything, withStore } from "./_fixtures.ts";
import { emptyModel, storeCommands } from "./_store_model.ts";
import type { StoreContractOptions } from "./store.ts";

/** fast-check parameters: the runs asked for, and a seed from ORDO_FC_SEED to replay a failure. */
export function propertyParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.ORDO_FC_SEED;
  return seed === undefined ? { numRuns } : { numRuns, seed: Number(seed) };
}

interface AppendSpec {
  readonly stream: string;
  readonly count: number;
  readonly expected: ExpectedVersion;
}

const appendSpec: fc.Arbitrary<AppendSpec> = fc.record({
  stream: fc.constantFrom("order-1", "order-2"),
  count: fc.integer({ min: 1, max: 3 }),
  expected: fc.oneof(fc.constantFrom<ExpectedVersion>("any", "no-stream", "exists"), fc.nat(4)),
});

export function testStoreProperties(options: StoreContractOptions): void {
  const runs = options.propertyRuns ?? 100;

  describe("properties", () => {
    it("behaves like the reference model for any sequence of appends, retries and reads", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(storeCommands, { maxCommands: 40 }),
          (commands) =>
            withStore(
              options,
              (store) => fc.asyncModelRun(() => ({ model: emptyModel(), real: store }), commands),
            ),
        ),
        propertyParameters(runs),
      );
    });

    it("keeps versions contiguous, positions growing and reports every conflict under interleaved appends", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(appendSpec, { minLength: 2, maxLength: 12 }),
          (s, specs) =>
            withStore(options, async (store) => {
              // Each append starts when the scheduler lets it; several may then be in flight at once.
              const attempts = specs.map((spec) => {
                const batch = messages(spec.count);
                const outcome = s.schedule(
                  Promise.resolve(),
                  `append ${spec.stream} ${spec.expected}`,
                )
                  .then(() => store.append(spec.stream, batch, { expectedVersion: spec.expected }))
                  .then(
                    (result) => ({ ok: true as const, result }),
                    (error: unknown) => ({ ok: false as const, error }),
                  );
                return { spec, batch, outcome };
              });
              const outcomes = await s.waitFor(Promise.all(attempts.map((a) => a.outcome)));
              const finalVersion = new Map<string, number>();
              for (const name of ["order-1", "order-2"]) {
                const stream = await store.readStream(name);
                assert.deepEqual(
                  stream.map((m) => m.streamVersion),
                  stream.map((_, i) => i),
                  "versions are contiguous",
                );
                if (stream.length > 0) finalVersion.set(name, stream.length - 1);
              }
              const stored = await readEverything(store);
              assert.ok(
                isStrictlyIncreasing(stored.map((m) => m.globalPosition)),
                "positions strictly increase",
              );
              const byId = new Map(stored.map((m) => [m.id, m]));
              let storedFromSuccesses = 0;
              attempts.forEach(({ spec, batch }, i) => {
                const outcome = outcomes[i];
                if (outcome.ok) {
                  storedFromSuccesses += batch.length;
                  const first = outcome.result.positions[0].streamVersion;
                  batch.forEach((m, k) => {
                    const record = byId.get(m.id);
                    assert.ok(record, "a successful append is stored whole");
                    assert.equal(record.streamName, spec.stream);
                    assert.equal(
                      record.streamVersion,
                      first + k,
                      "one append takes consecutive versions",
                    );
                    assert.equal(record.globalPosition, outcome.result.positions[k].globalPosition);
                  });
                  if (typeof spec.expected === "number") {
                    assert.equal(
                      first,
                      spec.expected + 1,
                      "appended right after the expected version",
                    );
                  }
                  if (spec.expected === "no-stream") assert.equal(first, 0);
                  if (spec.expected === "exists") assert.ok(first > 0);
                } else {
                  assert.ok(
                    outcome.error instanceof ConcurrencyError,
                    `only conflicts may fail: ${outcome.error}`,
                  );
                  assert.notEqual(spec.expected, "any");
                  const actual = outcome.error.actualVersion;
                  assert.ok(
                    actual === undefined || actual <= (finalVersion.get(spec.stream) ?? -1),
                  );
                  if (typeof spec.expected === "number") assert.notEqual(actual, spec.expected);
                  if (spec.expected === "no-stream") assert.notEqual(actual, undefined);
                  if (spec.expected === "exists") assert.equal(actual, undefined);
                  for (const m of batch) {
                    assert.ok(!byId.has(m.id), "a refused append stores nothing");
                  }
                }
              });
              assert.equal(
                stored.length,
                storedFromSuccesses,
                "nothing but successful appends is stored",
              );
            }),
        ),
        propertyParameters(runs),
      );
    });

    it("gives tailing readers every message once, in order, while writers interleave", async () => {
      const write = fc.record({
        stream: fc.constantFrom("order-1", "order-2", "user-1"),
        count: fc.integer({ min: 1, max: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(write, { minLength: 1, maxLength: 15 }),
          fc.integer({ min: 1, max: 4 }),
          (s, writes, pageSize) =>
            withStore(options, async (store) => {
              let writersDone = false;
              const writers = Promise.all(
                writes.map((w) =>
                  s.schedule(Promise.resolve(), `write ${w.stream}`).then(() =>
                    store.append(w.stream, messages(w.count))
                  )
                ),
              ).then(() => (writersDone = true));
              const seenInOrder = (label: string, seen: RecordedMessage[], m: RecordedMessage) => {
                const last = seen[seen.length - 1];
                assert.ok(
                  last === undefined || m.globalPosition > last.globalPosition,
                  `${label} saw ${m.globalPosition} after ${last?.globalPosition}`,
                );
                seen.push(m);
              };
              // readPage from each page's `next` until a page that says `end`, read after the writers finished.
              const pager = async (label: string, category?: string) => {
                const seen: RecordedMessage[] = [];
                let from = 0n;
                for (;;) {
                  const finishedBefore = writersDone;
                  await s.schedule(Promise.resolve(), `${label} reads from ${from}`);
                  const page = await store.readPage({ category, from, limit: pageSize });
                  assert.equal(
                    page.end,
                    page.messages.length < pageSize,
                    `${label}: end is a short page`,
                  );
                  for (const m of page.messages) {
                    assert.ok(
                      m.globalPosition >= from,
                      `${label} read ${m.globalPosition} below ${from}`,
                    );
                    assert.ok(m.globalPosition < page.next, `${label}: next is past the page`);
                    seenInOrder(label, seen, m);
                  }
                  from = page.next;
                  if (finishedBefore && page.end) return seen;
                }
              };
              // A for-await iteration to the end, again from where the last one stopped, with
              // writers let in between messages (and so between the iteration's pages).
              const iterator = async (label: string, category?: string) => {
                const seen: RecordedMessage[] = [];
                for (;;) {
                  const finishedBefore = writersDone;
                  const from = (seen[seen.length - 1]?.globalPosition ?? 0n) + 1n;
                  const read = category === undefined
                    ? store.readAll({ from, pageSize })
                    : store.readCategory(category, { from, pageSize });
                  for await (const m of read) {
                    seenInOrder(label, seen, m);
                    await s.schedule(Promise.resolve(), `${label} after ${m.globalPosition}`);
                  }
                  if (finishedBefore) return seen;
                  await s.schedule(Promise.resolve(), `${label} iterates again`);
                }
              };
              const [, pagedAll, pagedOrders, iteratedAll, iteratedOrders] = await s.waitFor(
                Promise.all([
                  writers,
                  pager("readPage"),
                  pager("readPage(order)", "order"),
                  iterator("readAll"),
                  iterator("readCategory", "order"),
                ]),
              );
              const everything = await readEverything(store);
              const ids = everything.map((m) => m.id);
              const orderIds = everything.filter((m) => m.streamName.startsWith("order-"))
                .map((m) => m.id);
              assert.deepEqual(
                pagedAll.map((m) => m.id),
                ids,
                "the readPage tail saw everything once",
              );
              assert.deepEqual(
                pagedOrders.map((m) => m.id),
                orderIds,
                "the category pages saw the category once",
              );
              assert.deepEqual(iteratedAll.map((m) => m.id), ids, "readAll saw everything once");
              assert.deepEqual(
                iteratedOrders.map((m) => m.id),
                orderIds,
                "readCategory saw its category once",
              );
            }),
        ),
        propertyParameters(runs),
      );
    });

    it("ends with the same store whether or not appends are retried", async () => {
      const plan = fc.array(
        fc.record({
          stream: fc.constantFrom("order-1", "user-1"),
          count: fc.integer({ min: 1, max: 3 }),
          retries: fc.nat(2),
        }),
        { minLength: 1, maxLength: 10 },
      );
      await fc.assert(
        fc.asyncProperty(plan, fc.infiniteStream(fc.nat()), async (steps, picks) => {
          const batches = steps.map((step) => ({
            stream: step.stream,
            retries: step.retries,
            batch: messages(step.count),
          }));
          const clean = await withStore(options, async (store) => {
            for (const b of batches) await store.append(b.stream, b.batch);
            return (await readEverything(store)).map((m) => [m.id, m.streamName, m.streamVersion]);
          });
          const retried = await withStore(options, async (store) => {
            const done: typeof batches = [];
            for (const b of batches) {
              await store.append(b.stream, b.batch);
              done.push(b);
              // Retry this or any earlier batch, as a client that lost the answer would.
              for (let r = 0; r < b.retries; r++) {
                const again = done[picks.next().value % done.length];
                const result = await store.append(again.stream, again.batch, {
                  expectedVersion: "no-stream",
                });
                assert.equal(result.deduplicated, true);
              }
            }
            return (await readEverything(store)).map((m) => [m.id, m.streamName, m.streamVersion]);
          });
          assert.deepEqual(retried, clean);
        }),
        propertyParameters(runs),
      );
    });
  });
}
