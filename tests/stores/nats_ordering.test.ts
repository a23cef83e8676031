// Ordering claims of the NATS store under real concurrency, with several
// store instances on separate connections (as separate processes would be):
// versions map onto subject sequences without gaps or forks, an append is
// never seen in part, and a follower sees every message once in global order.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  ConcurrencyError,
  type EventStore,
  type ExpectedVersion,
  type RecordedMessage,
} from "../../core/mod.ts";
import { createNatsStore, fromGlobalPosition } from "../../stores/nats/mod.ts";
import { decodeRecord } from "../../stores/nats/batch_record.ts";
import { JetStreamApi, textOf } from "../../stores/nats/jetstream/mod.ts";
import { type NatsServer, natsServerMissing, startNats } from "../_nats_server.ts";
import { isStrictlyIncreasing, messages, readEverything } from "../contract/_fixtures.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { connectNats, freshStore } from "./_nats_fixtures.ts";

const STREAMS = ["order-1", "order-2", "user-1"] as const;

if (natsServerMissing !== undefined) {
  describe("NATS store ordering", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store ordering", () => {
    let server: NatsServer & { release(): Promise<void> };
    let connections: NatsConnection[];
    before(async () => {
      server = await startNats();
      connections = await Promise.all([1, 2, 3].map(() => connectNats(server.urls)));
    });
    after(async () => {
      await Promise.all(connections.map((nc) => nc.close()));
      await server.release();
    });

    // One set of streams, seen by three store instances on three connections.
    const writers = async () => {
      const first = await freshStore(connections[0]);
      const others = connections.slice(1).map((nc) =>
        createNatsStore(nc, { headers, stream: first.stream, subjectPrefix: first.subjectPrefix })
      );
      return {
        stores: [first, ...others],
        close: () => Promise.all([...others, first].map((s) => s.close())),
      };
    };

    it("property: concurrent appends from three connections map versions onto subject sequences one to one", async () => {
      const append = fc.record({
        writer: fc.nat(2),
        stream: fc.constantFrom(...STREAMS),
        count: fc.integer({ min: 1, max: 3 }),
        expect: fc.constantFrom("read", "any", "stale"),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(append, { minLength: 2, maxLength: 24 }), async (plan) => {
          const { stores, close } = await writers();
          try {
            const outcomes = await Promise.all(plan.map(async (step) => {
              const store = stores[step.writer];
              let expected: ExpectedVersion = "any";
              if (step.expect !== "any") {
                const version = (await store.getStreamInfo(step.stream)).version;
                expected = version === undefined
                  ? "no-stream"
                  : step.expect === "stale"
                  ? Math.max(0, version - 1)
                  : version;
              }
              try {
                return await store.append(step.stream, messages(step.count), {
                  expectedVersion: expected,
                });
              } catch (error) {
                assert.ok(error instanceof ConcurrencyError, String(error));
                return undefined;
              }
            }));
            const api = new JetStreamApi({ connection: connections[0], headers });
            for (const stream of STREAMS) {
              const forward = await stores[1].readStream(stream);
              assert.deepEqual(forward.map((m) => m.streamVersion), forward.map((_, i) => i));
              const backward = await stores[2].readStream(stream, { direction: "backward" });
              assert.deepEqual(backward.map((m) => m.id), forward.map((m) => m.id).reverse());
              // Each record names the record before it on the stream's subject.
              let previous = 0;
              for (
                const seq of new Set(forward.map((m) => fromGlobalPosition(m.globalPosition).seq))
              ) {
                const stored = await api.getMessage(stores[0].stream, { seq });
                assert.equal(decodeRecord(textOf(stored!.data))?.previous, previous);
                previous = seq;
              }
            }
            const all = await readEverything(stores[0]);
            assert.equal(all.length, outcomes.reduce((n, o) => n + (o?.positions.length ?? 0), 0));
            const byId = new Map(all.map((m) => [m.id, m]));
            for (const outcome of outcomes) {
              for (const p of outcome?.positions ?? []) {
                assert.equal(byId.get(p.id)?.globalPosition, p.globalPosition);
                assert.equal(byId.get(p.id)?.streamVersion, p.streamVersion);
              }
            }
          } finally {
            await close();
          }
        }),
        propertyParameters(15),
      );
    });

    it("property: readers never see part of an append, while appends land from three connections", async () => {
      const batch = fc.record({
        writer: fc.nat(2),
        stream: fc.constantFrom(...STREAMS),
        count: fc.integer({ min: 1, max: 12 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 16 }), async (plan) => {
          const { stores, close } = await writers();
          try {
            const batches = plan.map((step) => ({ step, batch: messages(step.count) }));
            let writing = true;
            const written = Promise.all(
              batches.map(({ step, batch }) => stores[step.writer].append(step.stream, batch)),
            ).finally(() => (writing = false));
            const checkSnapshot = (seen: readonly RecordedMessage[], what: string) => {
              const ids = new Set(seen.map((m) => m.id));
              for (const { batch } of batches) {
                const present = batch.filter((m) => ids.has(m.id)).length;
                assert.ok(
                  present === 0 || present === batch.length,
                  `${what} saw ${present} of an append of ${batch.length}`,
                );
              }
            };
            const readers = stores.map(async (store, i) => {
              do {
                // One page each, as large as a page goes: a snapshot read at once.
                checkSnapshot(
                  (await store.readPage({ limit: 100_000 })).messages,
                  `reader ${i} readPage`,
                );
                checkSnapshot(
                  (await store.readPage({ category: "order", limit: 100_000 })).messages,
                  `reader ${i} readPage of a category`,
                );
                for (const stream of STREAMS) {
                  const read = await store.readStream(stream);
                  checkSnapshot(read, `reader ${i} readStream`);
                }
              } while (writing);
            });
            await Promise.all([written, ...readers]);
          } finally {
            await close();
          }
        }),
        propertyParameters(10),
      );
    });

    it("a follower on another connection sees every message once, in global order, woken without polling", async () => {
      const { stores, close } = await writers();
      try {
        const follower: EventStore = stores[2];
        const total = 60;
        const seen: RecordedMessage[] = [];
        const following = (async () => {
          let from = 0n;
          while (seen.length < total) {
            const page = await follower.readPage({ from, limit: 7 });
            seen.push(...page.messages);
            if (page.messages.length > 0) from = page.next;
            else assert.ok(await follower.waitForAppend(from - 1n, { timeout: 10_000 }), "woken");
          }
        })();
        await Promise.all([0, 1].map(async (w) => {
          for (let i = 0; i < total / 4; i++) {
            await stores[w].append(STREAMS[i % 3], messages(2));
          }
        }));
        await following;
        assert.equal(seen.length, total);
        assert.ok(isStrictlyIncreasing(seen.map((m) => m.globalPosition)));
        assert.equal(new Set(seen.map((m) => m.id)).size, total);
      } finally {
        await close();
      }
    });
  });
}
