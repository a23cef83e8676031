// Example tests of each consumer storage port, without a consumer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ParkedMessage, runOnce } from "../../core/consumers/mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { batch, type Rig, withRig } from "./_consumer_fixtures.ts";
import { checkLeaseStore } from "../../testing/mod.ts";

export function testConsumerStoragePorts<Tx>(options: ConsumerContractOptions<Tx>): void {
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));

  describe("CheckpointStore", () => {
    test("load() is undefined until a commit, then the committed position per group and partition", async ({ storage }) => {
      const { checkpoints } = storage;
      assert.equal(await checkpoints.load("g", 0), undefined);
      assert.equal(
        await checkpoints.commit({ group: "g", partition: 0, position: 7n }, () => {}),
        true,
      );
      await checkpoints.commit({ group: "g", partition: 1, position: 3n }, () => {});
      assert.equal(await checkpoints.load("g", 0), 7n);
      assert.equal(await checkpoints.load("g", 1), 3n);
      assert.equal(await checkpoints.load("other", 0), undefined);
    });

    test("commit() saves the work and the position together, and neither when the work throws", async ({ storage, probe }) => {
      await storage.checkpoints.commit(
        { group: "g", partition: 0, position: 1n },
        (tx) => probe.write(tx, "a"),
      );
      await assert.rejects(
        storage.checkpoints.commit({ group: "g", partition: 0, position: 2n }, async (tx) => {
          await probe.write(tx, "b");
          throw new Error("handler failed");
        }),
        /handler failed/,
      );
      assert.deepEqual(await probe.read(), ["a"]);
      assert.equal(await storage.checkpoints.load("g", 0), 1n);
    });

    test("commit() without a position runs the work in a transaction and moves nothing", async ({ storage, probe }) => {
      await storage.checkpoints.commit({ group: "g", partition: 0, position: 4n }, () => {});
      await storage.checkpoints.commit({ group: "g", partition: 0 }, (tx) => probe.write(tx, "x"));
      assert.deepEqual(await probe.read(), ["x"]);
      assert.equal(await storage.checkpoints.load("g", 0), 4n);
    });

    test("commit() with a lease that is no longer current saves nothing and resolves false", async ({ storage, probe }) => {
      const { leases, checkpoints } = storage;
      const old = await leases.acquire("g", 0, { owner: "a", ttl: 60_000 });
      assert.ok(old);
      await leases.release(old);
      const current = await leases.acquire("g", 0, { owner: "b", ttl: 60_000 });
      assert.ok(current && current.token > old.token, "a new holder gets a higher token");
      assert.equal(
        await checkpoints.commit(
          { group: "g", partition: 0, position: 9n, lease: old },
          (tx) => probe.write(tx, "stale"),
        ),
        false,
      );
      assert.equal(
        await checkpoints.commit(
          { group: "g", partition: 0, position: 5n, lease: current },
          (tx) => probe.write(tx, "ok"),
        ),
        true,
      );
      assert.deepEqual(await probe.read(), ["ok"]);
      assert.equal(await checkpoints.load("g", 0), 5n);
    });

    test("reset() forgets every checkpoint of one group only", async ({ storage }) => {
      await storage.checkpoints.commit({ group: "g", partition: 0, position: 2n }, () => {});
      await storage.checkpoints.commit({ group: "g", partition: 3, position: 2n }, () => {});
      await storage.checkpoints.commit({ group: "h", partition: 0, position: 2n }, () => {});
      await storage.checkpoints.reset("g");
      assert.equal(await storage.checkpoints.load("g", 0), undefined);
      assert.equal(await storage.checkpoints.load("g", 3), undefined);
      assert.equal(await storage.checkpoints.load("h", 0), 2n);
    });
  });

  describe("ParkedMessageStore", () => {
    test("park() inside a commit lands with it; list() pages in global order; remove() takes one off", async ({ store, storage }) => {
      await store.append("order-1", batch(3));
      const messages = await store.readAll().toArray();
      const entry = (i: number): ParkedMessage => ({
        group: "g",
        partition: 0,
        message: messages[i],
        error: { name: "Error", message: `boom ${i}` },
        attempts: 3,
        parkedAt: new Date().toISOString(),
      });
      await assert.rejects(
        storage.checkpoints.commit({ group: "g", partition: 0, position: 1n }, async (tx) => {
          await storage.parked.park(entry(0), { tx });
          throw new Error("rolled back");
        }),
      );
      assert.deepEqual(await storage.parked.list("g"), [], "a rolled-back park leaves nothing");
      for (const i of [2, 0, 1]) {
        await storage.checkpoints.commit(
          { group: "g", partition: 0 },
          (tx) => storage.parked.park(entry(i), { tx }),
        );
      }
      assert.deepEqual(
        (await storage.parked.list("g")).map((e) => e.message.id),
        messages.map((m) => m.id),
      );
      assert.deepEqual(
        (await storage.parked.list("g", { limit: 1, after: messages[0].globalPosition })).map((e) =>
          e.message.id
        ),
        [messages[1].id],
      );
      const got = await storage.parked.get("g", messages[1].id);
      assert.equal(got?.error.message, "boom 1");
      assert.equal(got?.attempts, 3);
      assert.equal(got?.message.globalPosition, messages[1].globalPosition);
      assert.equal(await storage.parked.remove("g", messages[1].id), true);
      assert.equal(await storage.parked.remove("g", messages[1].id), false);
      assert.equal(await storage.parked.get("g", messages[1].id), undefined);
      assert.deepEqual(await storage.parked.list("other"), []);
    });
  });

  describe("ParkedMessageStore.summary", () => {
    test("summary() counts a group's parked messages and names the earliest parkedAt, as list() has them", async ({ store, storage }) => {
      const summary = storage.parked.summary?.bind(storage.parked);
      if (summary === undefined) return; // optional: consumers page through list() instead
      assert.deepEqual(await summary("g"), { count: 0 });
      await store.append("order-1", batch(3));
      const messages = await store.readAll().toArray();
      const times = [
        "2024-05-01T12:00:02.000Z",
        "2024-05-01T12:00:01.000Z",
        "2024-05-01T12:00:03.000Z",
      ];
      for (const [i, parkedAt] of times.entries()) {
        await storage.parked.park({
          group: i < 2 ? "g" : "other",
          partition: 0,
          message: messages[i],
          error: { name: "Error", message: "boom" },
          attempts: 1,
          parkedAt,
        });
      }
      assert.deepEqual(await summary("g"), {
        count: 2,
        oldestParkedAt: "2024-05-01T12:00:01.000Z",
      });
      await storage.parked.remove("g", messages[1].id);
      assert.deepEqual(await summary("g"), {
        count: 1,
        oldestParkedAt: "2024-05-01T12:00:02.000Z",
      });
    });
  });

  describe("ProcessedMessageStore", () => {
    test("record() then has(), per scope; runOnce() runs an effect once per key", async ({ storage }) => {
      const { processed } = storage;
      assert.equal(await processed.has("s", "k"), false);
      await processed.record("s", "k");
      await processed.record("s", "k");
      assert.equal(await processed.has("s", "k"), true);
      assert.equal(await processed.has("t", "k"), false);
      const calls: string[] = [];
      const effect = (key: string) => void calls.push(key);
      assert.equal(await runOnce(processed, { scope: "mail", key: "m-1", effect }), true);
      assert.equal(await runOnce(processed, { scope: "mail", key: "m-1", effect }), false);
      await assert.rejects(
        runOnce(processed, {
          scope: "mail",
          key: "m-2",
          effect: () => Promise.reject(new Error("down")),
        }),
        /down/,
      );
      assert.equal(await processed.has("mail", "m-2"), false, "a failed effect is not recorded");
      assert.deepEqual(calls, ["m-1"]);
    });
  });

  describe("LeaseStore", () => {
    // The same checks users run on a lease store of their own (ordo/testing):
    // one holder per partition, growing tokens, expiry, one instance per name.
    test("passes checkLeaseStore()", async ({ storage }) => {
      await checkLeaseStore(storage.leases);
    });
  });
}
