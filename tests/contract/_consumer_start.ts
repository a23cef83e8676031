// Where a consumer without a checkpoint starts (`from`): at the start, at a
// position, or at the end, a reactor that must act only on what happens from
// now on; and that a stored checkpoint always wins over it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type CommitMode,
  type ConsumerSource,
  createConsumer,
  createGroupConsumer,
} from "../../core/consumers/mod.ts";
import { type RecordedMessage, ValidationError } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { batch, everything, type Rig, until, withRig } from "./_consumer_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";

const inSource = (source: ConsumerSource, m: RecordedMessage) =>
  "stream" in source
    ? m.streamName === source.stream
    : "category" in source
    ? m.streamName.startsWith(`${source.category}-`)
    : true;

const label = (m: RecordedMessage) => `${m.streamName}@${m.streamVersion}`;

export function testConsumerStart<Tx>(options: ConsumerContractOptions<Tx>): void {
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));
  const runs = options.propertyRuns ?? 50;

  describe("createConsumer() from", () => {
    for (
      const source of [{ all: true }, { category: "order" }, { stream: "order-1" }] as const
    ) {
      test(
        `from "end" delivers only what is appended after it started (${JSON.stringify(source)})`,
        async ({ store, storage }) => {
          await store.append("order-1", batch(3));
          await store.append("order-2", batch(2));
          const seen: string[] = [];
          const consumer = createConsumer(store, {
            group: "g",
            source,
            storage,
            from: "end",
            handler: (m) => void seen.push(label(m)),
          });
          await consumer.caughtUp;
          assert.deepEqual(seen, [], "nothing from before it started");
          await store.append("order-2", batch(1, 2));
          await store.append("order-1", batch(2, 3));
          await until(() => seen.length === ("stream" in source ? 2 : 3), "the new messages");
          await consumer.stop();
          assert.deepEqual(
            seen,
            "stream" in source
              ? ["order-1@3", "order-1@4"]
              : ["order-2@2", "order-1@3", "order-1@4"],
          );
        },
      );
    }

    test('from "end" fixes the end the first time: what is appended while it is down is delivered after a restart', async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const seen: string[] = [];
      const start = () =>
        createConsumer(store, {
          group: "g",
          source: { category: "order" },
          storage,
          from: "end",
          handler: (m) => void seen.push(label(m)),
        });
      const first = start();
      await first.caughtUp;
      await first.stop();
      await store.append("order-1", batch(1, 2));
      const second = start();
      await second.caughtUp;
      await second.stop();
      assert.deepEqual(seen, ["order-1@2"]);
    });

    test('a stored checkpoint wins over from "end" and over a position', async ({ store, storage }) => {
      await store.append("order-1", batch(3));
      const seen: string[] = [];
      const run = async (from?: "end" | bigint) => {
        const consumer = createConsumer(store, {
          group: "g",
          source: { all: true },
          storage,
          from,
          handler: (m) => void seen.push(label(m)),
        });
        await consumer.caughtUp;
        await consumer.stop();
      };
      await run();
      await store.append("order-1", batch(2, 3));
      await run("end");
      await store.append("order-1", batch(1, 5));
      await run(1n);
      assert.deepEqual(seen, [
        "order-1@0",
        "order-1@1",
        "order-1@2",
        "order-1@3",
        "order-1@4",
        "order-1@5",
      ]);
    });

    test("from a position starts there, inclusive: a global position, or a version for a stream", async ({ store, storage }) => {
      await store.append("order-1", batch(3));
      await store.append("order-2", batch(2));
      const fourth = (await everything(store))[3];
      const run = async (group: string, source: ConsumerSource, from: bigint) => {
        const seen: string[] = [];
        const consumer = createConsumer(store, {
          group,
          source,
          storage,
          from,
          handler: (m) => void seen.push(label(m)),
        });
        await consumer.caughtUp;
        await consumer.stop();
        return seen;
      };
      assert.deepEqual(await run("all", { all: true }, fourth.globalPosition), [
        "order-2@0",
        "order-2@1",
      ]);
      assert.deepEqual(await run("stream", { stream: "order-1" }, 1n), ["order-1@1", "order-1@2"]);
    });

    test('a group member from "end" skips what every partition held when it started', async ({ store, storage }) => {
      for (let i = 1; i <= 6; i++) await store.append(`order-${i}`, batch(2));
      const seen: string[] = [];
      const member = createGroupConsumer(store, {
        group: "g",
        source: { category: "order" },
        partitions: 3,
        storage,
        from: "end",
        leaseTtl: 1000,
        handler: (m) => void seen.push(label(m)),
      });
      await member.caughtUp;
      for (let i = 1; i <= 6; i++) await store.append(`order-${i}`, batch(1, 2));
      await until(() => seen.length === 6, "the new messages");
      await member.stop();
      assert.deepEqual(seen.toSorted(), [1, 2, 3, 4, 5, 6].map((i) => `order-${i}@2`));
    });

    test("refuses a misspelt from with a ValidationError naming the option and the values it takes", async ({ store, storage }) => {
      const base = { group: "g", source: { all: true as const }, storage, handler: () => {} };
      for (const from of ["END", "latest", 5, -1n, null]) {
        assert.throws(
          () => createConsumer(store, { ...base, from: from as never }),
          (error) =>
            error instanceof ValidationError && error.path === "options.from" &&
            /"start", "end" or a position/.test(error.message),
        );
        assert.throws(
          () => createGroupConsumer(store, { ...base, partitions: 2, from: from as never }),
          (error) => error instanceof ValidationError && error.path === "options.from",
        );
      }
      for (const key of ["fromPosition", "startFrom"]) {
        assert.throws(
          () => createConsumer(store, { ...base, [key]: "end" } as never),
          (error) => error instanceof ValidationError && /did you mean "from"/.test(error.message),
        );
      }
    });

    it('property: from "end" never delivers what was appended before it started, and delivers everything after once, in order, across restarts', async () => {
      const plan = fc.array(
        fc.record({
          stream: fc.constantFrom("order-1", "order-2", "user-1"),
          count: fc.integer({ min: 1, max: 3 }),
        }),
        { maxLength: 5 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<ConsumerSource>({ all: true }, { category: "order" }, {
            stream: "order-1",
          }),
          plan,
          plan,
          plan,
          fc.nat(5),
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom<CommitMode>("message", "page", "after-handler"),
          (source, before, during, after, restartAt, batchSize, commit) =>
            withRig(options, async ({ store, storage }) => {
              for (const a of before) await store.append(a.stream, batch(a.count));
              const headBefore = await store.headPosition();
              const calls: RecordedMessage[] = [];
              const start = () =>
                createConsumer<Tx, CommitMode>(store, {
                  group: "g",
                  source,
                  storage,
                  from: "end",
                  commit,
                  batchSize,
                  handler: (m) => void calls.push(m),
                });
              let consumer = start();
              // Appends racing the start: either side of the end it fixes.
              for (const a of during) await store.append(a.stream, batch(a.count));
              await consumer.caughtUp;
              const fixed = await store.headPosition();
              for (const [i, a] of after.entries()) {
                if (i === restartAt) {
                  await consumer.stop();
                  await store.append(a.stream, batch(a.count));
                  consumer = start();
                } else await store.append(a.stream, batch(a.count));
              }
              const all = (await everything(store)).filter((m) => inSource(source, m));
              const due = all.filter((m) => m.globalPosition > fixed);
              // Everything up to the head dealt with: messages appended while it
              // started may still be on their way after caughtUp, when they landed
              // after the end it fixed.
              await consumer.waitFor(await store.headPosition(), { timeout: 10_000 });
              await consumer.stop();
              assert.ok(
                due.every((m) => calls.some((c) => c.id === m.id)),
                "every message appended after caughtUp",
              );
              const ids = calls.map((m) => m.id);
              assert.equal(new Set(ids).size, ids.length, "each message once");
              // A suffix of the source: nothing before the end, nothing skipped after it.
              const from = all.length - ids.length;
              assert.deepEqual(ids, all.slice(from).map((m) => m.id), "in order, nothing skipped");
              const firstCall = calls[0];
              if (firstCall !== undefined) {
                assert.ok(firstCall.globalPosition > headBefore, "nothing from before it started");
              }
            }),
        ),
        propertyParameters(runs),
      );
    });
  });
}
