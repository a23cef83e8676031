// fast-check properties of commit "after-handler" over any store and consumer
// storage: at least once and in order across crashes between the handler and
// the commit; and parking that loses neither the entry nor what onParked
// writes, whichever step a crash interrupts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Consumer,
  type ConsumerSource,
  type ConsumerStorage,
  createConsumer,
  type ParkedMessage,
} from "../../core/consumers/mod.ts";
import type { EventStore, RecordedMessage } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { crashingStorage } from "./_consumer_crash.ts";
import { batch, NO_DELAY, until, withRig } from "./_consumer_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";

class Poison extends Error {
  override name = "Poison";
}

const appendPlan = fc.array(
  fc.record({
    stream: fc.constantFrom("order-1", "order-2", "user-1"),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  { minLength: 1, maxLength: 8 },
);

const sources = fc.constantFrom<ConsumerSource>(
  { all: true },
  { category: "order" },
  { stream: "order-1" },
);

const positionOf = (source: ConsumerSource, m: RecordedMessage) =>
  "stream" in source ? BigInt(m.streamVersion) : m.globalPosition;

async function sourceMessages(store: EventStore, source: ConsumerSource) {
  if ("stream" in source) return await store.readStream(source.stream, { limit: 100_000 });
  if ("category" in source) {
    return await store.readCategory(source.category, { limit: 100_000 }).toArray();
  }
  return await store.readAll({ limit: 100_000 }).toArray();
}

/**
 * Runs consumers made by `start` one after another, each until it stops (a
 * crash or restart the test caused) or `finished` resolves; then stops the last.
 */
async function runUntil(start: () => Consumer, finished: Promise<void>): Promise<void> {
  let consumer = start();
  for (;;) {
    const state = await Promise.race([
      consumer.done.then(() => "stopped"),
      finished.then(() => "finished"),
    ]);
    if (state === "finished") break;
    consumer = start();
  }
  await consumer.stop();
}

/** `storage` whose parked.park() runs `before` first (which may throw, as a crash). */
function parkingStorage<Tx>(
  storage: ConsumerStorage<Tx>,
  before: (entry: ParkedMessage) => void,
): ConsumerStorage<Tx> {
  const parked = storage.parked;
  return {
    ...storage,
    parked: {
      park: async (entry, options) => {
        before(entry);
        await parked.park(entry, options);
      },
      list: (group, options) => parked.list(group, options),
      get: (group, id) => parked.get(group, id),
      remove: (group, id, options) => parked.remove(group, id, options),
    },
  };
}

export function testAfterHandlerProperties<Tx>(options: ConsumerContractOptions<Tx>): void {
  const runs = options.propertyRuns ?? 50;

  describe('properties of commit "after-handler"', () => {
    it("delivers at least once, in order, each call for the first message not yet committed, across crashes before the commit", async () => {
      await fc.assert(
        fc.asyncProperty(
          sources,
          appendPlan,
          fc.nat(8),
          fc.integer({ min: 1, max: 4 }),
          fc.infiniteStream(fc.nat(5)),
          (source, appends, liveFrom, batchSize, faults) =>
            withRig(options, async ({ store, storage: inner }) => {
              const storage = crashingStorage(inner);
              const split = Math.min(liveFrom, appends.length);
              for (const a of appends.slice(0, split)) await store.append(a.stream, batch(a.count));
              const violations: string[] = [];
              const calls: string[] = [];
              let current: AbortController | undefined;
              const handler = async (m: RecordedMessage) => {
                calls.push(m.id);
                // No transaction is open: the checkpoint can be read here on every storage.
                const checkpoint = (await inner.checkpoints.load("g", 0)) ?? 0n;
                const firstOpen = (await sourceMessages(store, source)).find((x) =>
                  positionOf(source, x) >= checkpoint
                );
                if (firstOpen?.id !== m.id) {
                  violations.push(`call for ${m.streamName}@${m.streamVersion} at ${checkpoint}`);
                }
                const fault = faults.next().value;
                if (fault === 0) throw new Error("transient handler failure");
                if (fault === 1) {
                  // A crash after the handler's effect, before its commit: the message comes again.
                  storage.crashNextCommit();
                  current?.abort();
                }
                if (fault === 2) current?.abort(); // a restart after this message's commit
              };
              const start = (): Consumer => {
                current = new AbortController();
                return createConsumer(store, {
                  group: "g",
                  source,
                  storage,
                  batchSize,
                  commit: "after-handler",
                  signal: current.signal,
                  retry: { maxAttempts: 1_000, ...NO_DELAY },
                  handler,
                });
              };
              const finished = (async () => {
                for (const a of appends.slice(split)) await store.append(a.stream, batch(a.count));
                const last = (await sourceMessages(store, source)).at(-1);
                if (last === undefined) return; // nothing in the source: nothing to deliver
                const end = positionOf(source, last) + 1n;
                await until(
                  async () => (await inner.checkpoints.load("g", 0)) === end,
                  "the checkpoint past every message",
                );
              })();
              await runUntil(start, finished);
              const expected = (await sourceMessages(store, source)).map((m) => m.id);
              assert.deepEqual(violations, []);
              assert.deepEqual([...new Set(calls)], expected, "first calls in source order");
            }),
        ),
        propertyParameters(runs),
      );
    });

    it("parks with onParked awaited before the commit: a crash at any step loses neither the entry nor onParked's write", async () => {
      await fc.assert(
        fc.asyncProperty(
          appendPlan,
          fc.infiniteStream(fc.nat(2)),
          fc.infiniteStream(fc.nat(9)),
          (appends, poisonPicks, faults) =>
            withRig(options, async ({ store, storage: inner }) => {
              for (const a of appends) await store.append(a.stream, batch(a.count));
              const all = await store.readAll().toArray();
              const poison = new Set(
                all.filter(() => poisonPicks.next().value === 0).map((m) => m.id),
              );
              let current: AbortController | undefined;
              // A crash: the consumer is abandoned and the step in progress fails.
              const crashAt = (step: number) => {
                if (faults.next().value !== step) return;
                current?.abort();
                throw new Error(`simulated crash at step ${step}`);
              };
              const crashing = crashingStorage(parkingStorage(inner, () => crashAt(1)));
              const replies = new Set<string>();
              const handled = new Set<string>();
              const start = (): Consumer => {
                current = new AbortController();
                return createConsumer(store, {
                  group: "g",
                  source: { all: true },
                  storage: crashing,
                  commit: "after-handler",
                  signal: current.signal,
                  // A crash in the handler is an error like any other: it must not use up attempts.
                  retry: { maxAttempts: 1_000, ...NO_DELAY },
                  parkAtOnce: (error) => error instanceof Poison,
                  onParked: async (entry) => {
                    crashAt(2);
                    replies.add(entry.message.id);
                    crashAt(3);
                    if (faults.next().value === 4) {
                      crashing.crashNextCommit();
                      current?.abort();
                    }
                  },
                  handler: (m) => {
                    crashAt(0);
                    if (poison.has(m.id)) throw new Poison(`poison ${m.id}`);
                    handled.add(m.id);
                  },
                });
              };
              const finished = until(
                async () =>
                  (await inner.checkpoints.load("g", 0)) ===
                    all[all.length - 1].globalPosition + 1n,
                "the checkpoint past every message",
              );
              await runUntil(start, finished);
              const parked = await inner.parked.list("g", { limit: 1000 });
              const poisoned = all.filter((m) => poison.has(m.id)).map((m) => m.id);
              assert.deepEqual(
                parked.map((e) => e.message.id),
                poisoned,
                "each poison message parked once",
              );
              assert.deepEqual([...replies].sort(), [...poisoned].sort(), "onParked ran for each");
              for (const m of all) {
                if (!poison.has(m.id)) assert.ok(handled.has(m.id), `${m.id} handled`);
              }
            }),
        ),
        propertyParameters(runs),
      );
    });
  });
}
