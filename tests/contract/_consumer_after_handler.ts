// Example tests of createConsumer() with commit "after-handler": the handler
// runs outside any storage transaction and the checkpoint commits after it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  createGroupConsumer,
  type ParkedMessage,
  partitionOf,
} from "../../core/consumers/mod.ts";
import type { RecordedMessage } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { crashingStorage } from "./_consumer_crash.ts";
import { batch, gate, NO_DELAY, type Rig, until, withRig } from "./_consumer_fixtures.ts";

export function testAfterHandlerCommits<Tx>(options: ConsumerContractOptions<Tx>): void {
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));

  describe('createConsumer() with commit "after-handler"', () => {
    test("runs the handler outside any transaction, so it may write to the store, and commits after it", async ({ store, storage }) => {
      await store.append("order-1", batch(3));
      const orders = await store.readCategory("order").toArray();
      const seen: { tx: unknown; checkpoint: bigint | undefined }[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        commit: "after-handler",
        handler: async (m, { tx }) => {
          // Both would wait forever on a single-connection storage if a transaction were open.
          seen.push({ tx, checkpoint: await storage.checkpoints.load("g", 0) });
          await store.append(`done-${m.streamVersion}`, [{ type: "Done", data: { id: m.id } }]);
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      assert.deepEqual(seen, [
        { tx: undefined, checkpoint: undefined },
        { tx: undefined, checkpoint: orders[0].globalPosition + 1n },
        { tx: undefined, checkpoint: orders[1].globalPosition + 1n },
      ]);
      assert.equal((await store.readCategory("done").toArray()).length, 3);
      assert.equal(await storage.checkpoints.load("g", 0), orders[2].globalPosition + 1n);
    });

    test("a failed commit is tried again without running the handler again", async ({ store, storage: inner }) => {
      const storage = crashingStorage(inner);
      await store.append("order-1", batch(2));
      const calls: string[] = [];
      const errors: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        commit: "after-handler",
        retry: NO_DELAY,
        onError: (_error, context) => void errors.push(context.phase),
        handler: (m) => {
          if (!calls.includes(m.id)) storage.crashNextCommit();
          calls.push(m.id);
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      const messages = await store.readAll().toArray();
      assert.deepEqual(calls, messages.map((m) => m.id));
      assert.deepEqual(errors, ["storage", "storage"]);
      assert.equal(await inner.checkpoints.load("g", 0), messages[1].globalPosition + 1n);
    });

    test("stop() lets the handler in progress finish and commits its checkpoint", async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const [first] = await store.readAll().toArray();
      const entered = gate();
      const release = gate();
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        commit: "after-handler",
        handler: async () => {
          entered.open();
          await release.promise;
        },
      });
      await entered.promise;
      const stopping = consumer.stop();
      release.open();
      await stopping;
      assert.equal(await storage.checkpoints.load("g", 0), first.globalPosition + 1n);
    });

    test("parks after the last attempt: stores the entry, awaits onParked, then moves the checkpoint", async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const [poison, next] = await store.readAll().toArray();
      const steps: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        commit: "after-handler",
        retry: { maxAttempts: 2, ...NO_DELAY },
        onParked: async (entry) => {
          const stored = (await storage.parked.get("g", poison.id)) !== undefined;
          const checkpoint = await storage.checkpoints.load("g", 0);
          steps.push(
            `onParked ${entry.attempts}, entry stored ${stored}, checkpoint ${checkpoint}`,
          );
        },
        handler: (m) => {
          steps.push(`handler ${m.streamVersion}`);
          if (m.id === poison.id) throw new RangeError("poison");
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      assert.deepEqual(steps, [
        "handler 0",
        "handler 0",
        "onParked 2, entry stored true, checkpoint undefined",
        "handler 1",
      ]);
      assert.equal((await consumer.getParked(poison.id))?.error.name, "RangeError");
      assert.equal(await storage.checkpoints.load("g", 0), next.globalPosition + 1n);
    });

    test("replays a parked message outside any transaction and takes it off the list", async ({ store, storage }) => {
      await store.append("order-1", batch(1));
      let fixed = false;
      const handled: { message: RecordedMessage; tx: unknown }[] = [];
      const parked: ParkedMessage[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        commit: "after-handler",
        retry: { maxAttempts: 1 },
        onParked: (entry) => void parked.push(entry),
        handler: async (message, { tx }) => {
          if (!fixed) throw new Error("bug");
          await store.append("done-1", [{ type: "Done", data: {} }]);
          handled.push({ message, tx });
        },
      });
      await consumer.caughtUp;
      assert.equal(parked.length, 1);
      fixed = true;
      assert.equal((await consumer.replayParked(parked[0].message.id)).outcome, "replayed");
      assert.deepEqual(handled.map((h) => h.tx), [undefined]);
      assert.deepEqual(await consumer.listParked(), []);
      await consumer.stop();
    });

    test("a group member handles each partition outside any transaction and commits each checkpoint under its lease", async ({ store, storage }) => {
      for (let i = 0; i < 6; i++) await store.append(`order-${i}`, batch(2));
      const seen: { stream: string; partition: number; tx: unknown }[] = [];
      const member = createGroupConsumer(store, {
        group: "g",
        source: { category: "order" },
        partitions: 3,
        storage,
        commit: "after-handler",
        handler: async (m, { tx, partition }) => {
          await store.append("done-1", [{ type: "Done", data: { id: m.id } }]);
          seen.push({ stream: m.streamName, partition, tx });
        },
      });
      await member.caughtUp;
      await member.stop();
      const messages = await store.readCategory("order").toArray();
      assert.equal(seen.length, messages.length);
      for (const { stream, partition, tx } of seen) {
        assert.equal(partition, partitionOf(stream, 3));
        assert.equal(tx, undefined);
      }
      for (let partition = 0; partition < 3; partition++) {
        const last = messages.filter((m) => partitionOf(m.streamName, 3) === partition).at(-1);
        if (last === undefined) continue;
        const checkpoint = await storage.checkpoints.load("g", partition);
        assert.ok(
          checkpoint !== undefined && checkpoint > last.globalPosition,
          `partition ${partition}`,
        );
      }
    });

    test("context.once() records its effect outside any transaction", async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const sent: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        commit: "after-handler",
        retry: { maxAttempts: 3, ...NO_DELAY },
        handler: async (_m, { once, attempt }) => {
          await once("email", (key) => void sent.push(key));
          if (attempt === 1) throw new Error("failed after the effect");
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      const ids = (await store.readAll().toArray()).map((m) => m.id);
      assert.deepEqual(sent, ids);
      for (const id of ids) assert.ok(await storage.processed.has("g/email", id));
      await until(async () => (await consumer.listParked()).length === 0, "nothing parked");
    });
  });
}
