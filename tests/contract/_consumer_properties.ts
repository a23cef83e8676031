// fast-check properties of consumers over any store and consumer storage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Consumer, type ConsumerSource, createConsumer } from "../../core/consumers/mod.ts";
import type { RecordedMessage } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { crashingStorage } from "./_consumer_crash.ts";
import { batch, NO_DELAY, until, withRig } from "./_consumer_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";

const appendPlan = fc.array(
  fc.record({
    stream: fc.constantFrom("order-1", "order-2", "order-3", "user-1"),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  { minLength: 1, maxLength: 10 },
);

const sources: fc.Arbitrary<ConsumerSource> = fc.constantFrom<ConsumerSource>(
  { all: true },
  { category: "order" },
  { stream: "order-1" },
);

function inSource(source: ConsumerSource, m: RecordedMessage): boolean {
  if ("stream" in source) return m.streamName === source.stream;
  if ("category" in source) return m.streamName.startsWith(`${source.category}-`);
  return true;
}

const positionOf = (
  source: ConsumerSource,
  m: RecordedMessage,
) => ("stream" in source ? BigInt(m.streamVersion) : m.globalPosition);

export function testConsumerProperties<Tx>(options: ConsumerContractOptions<Tx>): void {
  const runs = options.propertyRuns ?? 50;

  describe("properties", () => {
    it("delivers at least once in order and commits each message once, with failures, crashes and restarts anywhere", async () => {
      await fc.assert(
        fc.asyncProperty(
          sources,
          appendPlan,
          fc.nat(10),
          fc.integer({ min: 1, max: 5 }),
          fc.infiniteStream(fc.nat(7)),
          fc.constantFrom<"message" | "page">("message", "page"),
          (source, appends, liveFrom, batchSize, faults, commit) =>
            withRig(options, async ({ store, storage: inner, probe }) => {
              const storage = crashingStorage(inner);
              const split = Math.min(liveFrom, appends.length);
              for (const a of appends.slice(0, split)) await store.append(a.stream, batch(a.count));
              const violations: string[] = [];
              const calls: string[] = [];
              let current: AbortController | undefined;
              const handler = async (m: RecordedMessage, { tx }: { tx: Tx }) => {
                calls.push(m.id);
                // On a single-connection storage (PGlite) a read beside the handler's open
                // transaction would wait for it forever; there the final checks below stand alone.
                // Per-page commits call later handlers of a page before earlier ones commit, by design.
                if (!inner.singleConnection && commit === "message") {
                  // Order and at-least-once: each call is for the first message not yet committed.
                  const committed = await probe.read();
                  const expected = (await store.readAll({ limit: 100_000 }).toArray()).filter((x) =>
                    inSource(source, x)
                  );
                  if (expected[committed.length]?.id !== m.id) {
                    violations.push(
                      `call for ${m.streamName}@${m.streamVersion} while ${committed.length} were committed`,
                    );
                  }
                  // The checkpoint never passes a message before its handler succeeded.
                  const checkpoint = await inner.checkpoints.load("g", 0);
                  if (checkpoint !== undefined && checkpoint > positionOf(source, m)) {
                    violations.push(
                      `checkpoint ${checkpoint} already past ${
                        positionOf(source, m)
                      } in its handler`,
                    );
                  }
                }
                const fault = faults.next().value;
                if (fault === 0) throw new Error("transient handler failure");
                if (fault === 1) storage.crashNextCommit();
                if (fault === 2) current?.abort(); // a restart: stop after this handler, start a new consumer
                await probe.write(tx, m.id);
              };
              const start = (): Consumer => {
                current = new AbortController();
                return createConsumer(store, {
                  group: "g",
                  source,
                  storage,
                  batchSize,
                  commit,
                  signal: current.signal,
                  retry: { maxAttempts: 1_000, ...NO_DELAY },
                  handler,
                });
              };
              let consumer = start();
              const finished = (async () => {
                for (const a of appends.slice(split)) await store.append(a.stream, batch(a.count));
                const total = (await store.readAll({ limit: 100_000 }).toArray()).filter((m) =>
                  inSource(source, m)
                ).length;
                await until(
                  async () =>
                    (await probe.read()).length >= total,
                  "every message to be committed",
                );
              })();
              for (;;) {
                const state = await Promise.race([
                  consumer.done.then(() => "stopped"),
                  finished.then(() => "finished"),
                ]);
                if (state === "finished") break;
                consumer = start();
              }
              await consumer.stop();
              const expected = (await store.readAll({ limit: 100_000 }).toArray()).filter((m) =>
                inSource(source, m)
              ).map((m) => m.id);
              assert.deepEqual(violations, []);
              assert.deepEqual(
                await probe.read(),
                expected,
                "every message committed once, in order",
              );
              for (const id of expected) {
                assert.ok(calls.includes(id), "every message delivered at least once");
              }
            }),
        ),
        propertyParameters(runs),
      );
    });

    it("retries, parks poison messages and moves on; replay after a fix takes each parked message once", async () => {
      await fc.assert(
        fc.asyncProperty(
          appendPlan,
          fc.infiniteStream(fc.nat(3)),
          fc.infiniteStream(fc.nat(3)),
          (appends, poisonPicks, transient) =>
            withRig(options, async ({ store, storage, probe }) => {
              for (const a of appends) await store.append(a.stream, batch(a.count));
              const all = await store.readAll().toArray();
              const poison = new Set(
                all.filter(() => poisonPicks.next().value === 0).map((m) => m.id),
              );
              let fixed = false;
              const attemptsSeen = new Map<string, number[]>();
              const consumer = createConsumer(store, {
                group: "g",
                source: { all: true },
                storage,
                retry: { maxAttempts: 3, ...NO_DELAY },
                handler: async (m, { tx, attempt }) => {
                  attemptsSeen.set(m.id, [...(attemptsSeen.get(m.id) ?? []), attempt]);
                  if (poison.has(m.id) && !fixed) throw new Error(`poison ${m.id}`);
                  if (attempt === 1 && transient.next().value === 0) throw new Error("transient");
                  await probe.write(tx, m.id);
                },
              });
              await consumer.caughtUp;
              const parked = await consumer.listParked({ limit: 1000 });
              assert.deepEqual(
                parked.map((e) => e.message.id),
                all.filter((m) => poison.has(m.id)).map((m) => m.id),
                "exactly the poison messages are parked",
              );
              for (const entry of parked) {
                assert.equal(entry.attempts, 3);
                assert.equal(entry.error.message, `poison ${entry.message.id}`);
                assert.deepEqual(attemptsSeen.get(entry.message.id), [1, 2, 3]);
              }
              assert.deepEqual(
                await probe.read(),
                all.filter((m) => !poison.has(m.id)).map((m) => m.id),
                "the rest took effect once, in order",
              );
              assert.equal(
                await storage.checkpoints.load("g", 0),
                all[all.length - 1].globalPosition + 1n,
                "the consumer moved past every message",
              );
              fixed = true;
              const results = await consumer.replayAllParked();
              assert.ok(results.every((r) => r.outcome === "replayed"));
              assert.deepEqual(await consumer.listParked(), []);
              assert.deepEqual(
                [...(await probe.read())].sort(),
                all.map((m) => m.id).sort(),
                "after replay every message took effect exactly once",
              );
              await consumer.stop();
            }),
        ),
        propertyParameters(runs),
      );
    });
  });
}
