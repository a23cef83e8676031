// Page handlers (`pageHandler`) over any store and consumer storage: pages in
// one transaction with their checkpoint, a failing page narrowed down to the
// message at fault, `once` effects across the narrowing, and a property with
// poison messages, transient failures, crashes before the commit and restarts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Consumer,
  type ConsumerSource,
  createConsumer,
  type PageContext,
} from "../../core/consumers/mod.ts";
import { type RecordedMessage, ValidationError } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { crashingStorage } from "./_consumer_crash.ts";
import { batch, everything, NO_DELAY, until, withRig } from "./_consumer_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";

const appendPlan = fc.array(
  fc.record({
    stream: fc.constantFrom("order-1", "order-2", "user-1"),
    count: fc.integer({ min: 1, max: 4 }),
  }),
  { minLength: 1, maxLength: 8 },
);

const sources = fc.constantFrom<ConsumerSource>(
  { all: true },
  { category: "order" },
  { stream: "order-1" },
);

function inSource(source: ConsumerSource, m: RecordedMessage): boolean {
  if ("stream" in source) return m.streamName === source.stream;
  if ("category" in source) return m.streamName.startsWith(`${source.category}-`);
  return true;
}

export function testPageHandlers<Tx>(options: ConsumerContractOptions<Tx>): void {
  const runs = options.propertyRuns ?? 50;

  describe("pageHandler", () => {
    it("gets each page whole, in order, in one transaction with its checkpoint (commit per page by default)", async () => {
      await withRig(options, async ({ store, storage, probe }) => {
        await store.append("order-1", batch(7));
        const messages = await everything(store);
        const pages: string[][] = [];
        const consumer = createConsumer(store, {
          group: "g",
          source: { category: "order" },
          storage,
          batchSize: 3,
          pageHandler: async (page, { tx, attempt, partition, group }) => {
            assert.deepEqual([attempt, partition, group], [1, 0, "g"]);
            pages.push(page.map((m) => m.id));
            if (!storage.singleConnection) {
              // Nothing of this page is committed yet: it commits as one.
              const checkpoint = await storage.checkpoints.load("g", 0);
              assert.ok((checkpoint ?? 0n) <= page[0].globalPosition);
            }
            for (const m of page) await probe.write(tx, m.id);
          },
        });
        await consumer.caughtUp;
        await consumer.stop();
        const ids = messages.map((m) => m.id);
        assert.deepEqual(pages, [ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
        assert.deepEqual(await probe.read(), ids);
        assert.equal(await storage.checkpoints.load("g", 0), messages[6].globalPosition + 1n);
      });
    });

    it("narrows a failing page down to the message at fault, which alone is retried and parked; once effects run once", async () => {
      await withRig(options, async ({ store, storage, probe }) => {
        await store.append("order-1", batch(8));
        const messages = await everything(store);
        const index = new Map(messages.map((m, i) => [m.id, i]));
        const pages: number[][] = [];
        const sent: string[] = [];
        const consumer = createConsumer(store, {
          group: "g",
          source: { category: "order" },
          storage,
          batchSize: 8,
          retry: { maxAttempts: 2, ...NO_DELAY },
          pageHandler: async (page, context) => {
            pages.push(page.map((m) => index.get(m.id)!));
            for (const m of page) {
              await context.of(m).once("email", (key) => void sent.push(key));
              if (index.get(m.id) === 5) throw new Error("poison");
              await probe.write(context.tx, m.id);
            }
          },
        });
        await consumer.caughtUp;
        const parked = await consumer.listParked();
        await consumer.stop();
        assert.deepEqual(pages, [
          [0, 1, 2, 3, 4, 5, 6, 7],
          [0, 1, 2, 3],
          [4, 5, 6, 7],
          [4, 5],
          [4],
          [5],
          [5],
          [6, 7],
        ]);
        assert.deepEqual(parked.map((e) => [index.get(e.message.id), e.attempts]), [[5, 2]]);
        assert.deepEqual(
          await probe.read(),
          messages.filter((_, i) => i !== 5).map((m) => m.id),
          "the others took effect once, in order",
        );
        assert.deepEqual(sent, messages.map((m) => m.id), "each once effect ran once");
        assert.equal(await storage.checkpoints.load("g", 0), messages[7].globalPosition + 1n);
      });
    });

    it('gets pages of one under commit "message", and refuses both handlers or neither', async () => {
      await withRig(options, async ({ store, storage, probe }) => {
        await store.append("order-1", batch(3));
        const sizes: number[] = [];
        const consumer = createConsumer(store, {
          group: "g",
          source: { all: true },
          storage,
          commit: "message",
          pageHandler: async (page, { tx }) => {
            sizes.push(page.length);
            for (const m of page) await probe.write(tx, m.id);
          },
        });
        await consumer.caughtUp;
        await consumer.stop();
        assert.deepEqual(sizes, [1, 1, 1]);
        const both = { handler: () => {}, pageHandler: () => {} };
        const cases: [object, string][] = [[both, "options.pageHandler"], [{}, "options.handler"]];
        for (const [handlers, path] of cases) {
          assert.throws(
            () =>
              createConsumer(store, { group: "g", source: { all: true }, storage, ...handlers }),
            (error) => error instanceof ValidationError && error.path === path,
          );
        }
      });
    });

    it("property: every message committed once in order, exactly the poison ones parked, once effects once, through failures, crashes and restarts", async () => {
      await fc.assert(
        fc.asyncProperty(
          sources,
          appendPlan,
          fc.integer({ min: 1, max: 6 }),
          fc.infiniteStream(fc.nat(9)),
          fc.infiniteStream(fc.nat(9)),
          (source, appends, batchSize, poisonPicks, faults) =>
            withRig(options, async ({ store, storage: inner, probe }) => {
              const storage = crashingStorage(inner);
              for (const a of appends) await store.append(a.stream, batch(a.count));
              const mine = (await everything(store)).filter((m) => inSource(source, m));
              const poison = new Set(
                mine.filter(() => poisonPicks.next().value === 0).map((m) => m.id),
              );
              const violations: string[] = [];
              const effects: string[] = [];
              let current: AbortController | undefined;
              const pageHandler = async (page: readonly RecordedMessage[], c: PageContext<Tx>) => {
                if (!inner.singleConnection) {
                  // Each page starts at the first message neither committed nor parked.
                  const done = new Set([
                    ...await probe.read(),
                    ...(await inner.parked.list("g", { limit: 1000 })).map((e) => e.message.id),
                  ]);
                  const first = mine.find((m) => !done.has(m.id));
                  if (first?.id !== page[0].id) violations.push(`page from ${page[0].id}`);
                }
                for (const m of page) {
                  await c.of(m).once("fx", (key) => void effects.push(key));
                  if (poison.has(m.id)) throw new Error("poison");
                  const fault = faults.next().value;
                  if (fault === 0 && c.attempt === 1) throw new Error("transient");
                  if (fault === 1) storage.crashNextCommit();
                  if (fault === 2) current?.abort(); // a restart after this page
                  await probe.write(c.tx, m.id);
                }
              };
              const start = (): Consumer => {
                current = new AbortController();
                return createConsumer(store, {
                  group: "g",
                  source,
                  storage,
                  batchSize,
                  signal: current.signal,
                  retry: { maxAttempts: 3, ...NO_DELAY },
                  pageHandler,
                });
              };
              const healthy = mine.filter((m) => !poison.has(m.id)).map((m) => m.id);
              const finished = until(
                async () =>
                  (await probe.read()).length >= healthy.length &&
                  (await inner.parked.list("g", { limit: 1000 })).length >= poison.size,
                "every message committed or parked",
              );
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
              assert.deepEqual(violations, []);
              assert.deepEqual(await probe.read(), healthy, "the healthy ones once, in order");
              const parked = await inner.parked.list("g", { limit: 1000 });
              assert.deepEqual(
                parked.map((e) => e.message.id),
                mine.filter((m) => poison.has(m.id)).map((m) => m.id),
                "exactly the poison ones parked",
              );
              assert.deepEqual(
                [...effects].sort(),
                mine.map((m) => m.id).sort(),
                "each once effect ran once",
              );
            }),
        ),
        propertyParameters(runs),
      );
    });
  });
}
