// What operators' tools read and ask of a consumer storage, across processes:
// every group's checkpoints, parked counts, members and leases; running
// consumers and what their groups read; replays asked for and taken by a
// running consumer of the group. Runs for storages that declare them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ConsumerStorage,
  createConsumer,
  createGroupConsumer,
  type ParkedMessage,
  silentLogger,
  ValidationError,
} from "../../mod.ts";
import type { ConsumerControlStore, PresentConsumer } from "../../core/mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { batch, NO_DELAY, type Rig, until, withRig } from "./_consumer_fixtures.ts";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function control<Tx>(storage: ConsumerStorage<Tx>): ConsumerControlStore {
  assert.ok(storage.control, "the storage keeps a control store");
  return storage.control;
}

function parkedEntry(group: string, n: number, parkedAt: string): ParkedMessage {
  return {
    group,
    partition: 0,
    message: {
      id: ID(n),
      type: "T",
      data: { n },
      metadata: { timestamp: parkedAt },
      streamName: "order-1",
      streamVersion: n,
      globalPosition: BigInt(n + 1),
    },
    error: { name: "Error", message: `failed ${n}` },
    attempts: 3,
    parkedAt,
  };
}

export function testConsumerOperations<Tx>(options: ConsumerContractOptions<Tx>): void {
  if (options.operations !== true) return;
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));

  describe("what operators' tools read", () => {
    test("checkpoints.list() gives every group's checkpoints by group, then partition", async ({ storage }) => {
      const { checkpoints } = storage;
      for (
        const [group, partition, position] of [["b", 1, 7n], ["a", 0, 3n], ["b", 0, 5n]] as const
      ) {
        await checkpoints.commit({ group, partition, position }, () => {});
      }
      assert.deepEqual(await checkpoints.list!(), [
        { group: "a", partition: 0, position: 3n },
        { group: "b", partition: 0, position: 5n },
        { group: "b", partition: 1, position: 7n },
      ]);
      await checkpoints.reset("b");
      assert.deepEqual(await checkpoints.list!(), [{ group: "a", partition: 0, position: 3n }]);
    });

    test("parked.groups() counts each group's parked messages and names its latest", async ({ storage }) => {
      const { parked } = storage;
      assert.deepEqual(await parked.groups!(), []);
      await parked.park(parkedEntry("g", 1, "2026-01-01T00:00:02.000Z"));
      await parked.park(parkedEntry("g", 2, "2026-01-01T00:00:03.000Z"));
      await parked.park(parkedEntry("g", 3, "2026-01-01T00:00:01.000Z"));
      await parked.park(parkedEntry("f", 4, "2026-01-01T00:00:00.000Z"));
      assert.deepEqual(await parked.groups!(), [
        {
          group: "f",
          count: 1,
          oldestParkedAt: "2026-01-01T00:00:00.000Z",
          latest: {
            messageId: ID(4),
            error: { name: "Error", message: "failed 4" },
            attempts: 3,
            parkedAt: "2026-01-01T00:00:00.000Z",
          },
        },
        {
          group: "g",
          count: 3,
          oldestParkedAt: "2026-01-01T00:00:01.000Z",
          latest: {
            messageId: ID(2),
            error: { name: "Error", message: "failed 2" },
            attempts: 3,
            parkedAt: "2026-01-01T00:00:03.000Z",
          },
        },
      ]);
      await parked.remove("f", ID(4));
      assert.deepEqual((await parked.groups!()).map((s) => s.group), ["g"]);
    });

    test("leases.groups() gives live members and held leases per group, changing nothing", async ({ storage }) => {
      const { leases } = storage;
      await leases.heartbeat("g", "m2", { ttl: 60_000 });
      await leases.heartbeat("g", "m1", { ttl: 60_000 });
      await leases.heartbeat("h", "gone", { ttl: 1 });
      const held = await leases.acquire("g", 1, { owner: "m1", ttl: 60_000 });
      const released = await leases.acquire("g", 0, { owner: "m2", ttl: 60_000 });
      await leases.release(released!);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const groups = await leases.groups!();
      assert.deepEqual(groups, [{ group: "g", members: ["m1", "m2"], leases: [held] }]);
      assert.deepEqual(await leases.groups!(), groups, "reading twice reads the same");
    });
  });

  describe("ConsumerControlStore", () => {
    test("announce() marks a consumer running and remembers what its group reads, withdraw() ends it", async ({ storage }) => {
      const c = control(storage);
      const before = Date.now();
      await c.announce(
        { group: "g", instance: "i1", source: { category: "order" }, partitions: 4 },
        { ttl: 60_000 },
      );
      const [first] = await c.running();
      assert.deepEqual(
        { ...first, startedAt: undefined, expiresAt: undefined },
        {
          group: "g",
          instance: "i1",
          source: { category: "order" },
          partitions: 4,
          startedAt: undefined,
          expiresAt: undefined,
        },
      );
      assert.ok(first.expiresAt > before + 30_000, "expires a ttl from now");
      await new Promise((resolve) => setTimeout(resolve, 10));
      await c.announce(
        { group: "g", instance: "i1", source: { category: "order" }, partitions: 4 },
        { ttl: 60_000 },
      );
      const [again] = await c.running();
      assert.equal(again.startedAt, first.startedAt, "announcing again keeps when it started");
      await c.withdraw("g", "i1");
      assert.deepEqual(await c.running(), []);
      const [known] = await c.groups();
      assert.deepEqual({ ...known, seenAt: undefined }, {
        group: "g",
        source: { category: "order" },
        partitions: 4,
        seenAt: undefined,
      });
      assert.ok(!Number.isNaN(Date.parse(known.seenAt)));
    });

    test("a consumer not announced again within its ttl is no longer running", async ({ storage }) => {
      const c = control(storage);
      await c.announce({ group: "g", instance: "i1", source: { all: true }, partitions: 1 }, {
        ttl: 40,
      });
      await c.announce({ group: "g", instance: "i2", source: { all: true }, partitions: 1 }, {
        ttl: 60_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.deepEqual((await c.running()).map((p) => p.instance), ["i2"]);
    });

    test("replay requests: asked twice is asked once, taken oldest first, each taken once", async ({ storage }) => {
      const c = control(storage);
      await c.requestReplay("g", ID(2));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await c.requestReplay("g", ID(1));
      await c.requestReplay("g", ID(2));
      await c.requestReplay("h", ID(3));
      assert.deepEqual((await c.pendingReplays("g")).map((r) => r.messageId), [ID(2), ID(1)]);
      assert.deepEqual((await c.pendingReplays()).map((r) => [r.group, r.messageId]).sort(), [
        ["g", ID(1)],
        ["g", ID(2)],
        ["h", ID(3)],
      ]);
      assert.deepEqual(await c.takeReplays("g", { limit: 1 }), [ID(2)]);
      assert.deepEqual(await c.takeReplays("g", { limit: 10 }), [ID(1)]);
      assert.deepEqual(await c.takeReplays("g", { limit: 10 }), []);
      assert.deepEqual((await c.pendingReplays()).map((r) => r.messageId), [ID(3)]);
      await assert.rejects(
        c.requestReplay("g", "not-a-uuid"),
        (error) => error instanceof ValidationError && error.path === "messageId",
      );
    });
  });

  describe("consumers and the control store", () => {
    test("a running consumer announces itself and what it reads, and withdraws when it stops", async ({ store, storage }) => {
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order", types: ["Placed"] },
        storage,
        logger: silentLogger,
        controlInterval: 200,
        handler: () => {},
      });
      let present!: PresentConsumer;
      await until(
        async () => ([present] = await control(storage).running()).length === 1,
        "announced",
      );
      assert.deepEqual([present.group, present.source, present.partitions], [
        "g",
        { category: "order", types: ["Placed"] },
        1,
      ]);
      await consumer.stop();
      assert.deepEqual(await control(storage).running(), []);
      assert.deepEqual((await control(storage).groups()).map((g) => g.group), ["g"]);
    });

    test("with controlInterval false a consumer neither announces itself nor takes replays", async ({ store, storage }) => {
      await control(storage).requestReplay("g", ID(1));
      const consumer = createConsumer(store, {
        group: "g",
        source: { all: true },
        storage,
        logger: silentLogger,
        controlInterval: false,
        handler: () => {},
      });
      await consumer.caughtUp;
      await new Promise((resolve) => setTimeout(resolve, 50));
      await consumer.stop();
      assert.deepEqual(await control(storage).running(), []);
      assert.equal((await control(storage).pendingReplays("g")).length, 1);
    });

    test("a replay asked through the control store runs in a running consumer's handler", async ({ store, storage, probe }) => {
      await store.append("order-1", batch(2));
      const [poison, fine] = await store.readAll().toArray();
      let fixed = false;
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        logger: silentLogger,
        controlInterval: 20,
        retry: { maxAttempts: 1, ...NO_DELAY },
        handler: async (m, { tx }) => {
          if (m.id === poison.id && !fixed) throw new Error("bug");
          await probe.write(tx, m.id);
        },
      });
      await consumer.caughtUp;
      assert.deepEqual((await consumer.listParked()).map((e) => e.message.id), [poison.id]);
      // Still failing: the replay is taken, fails, and the entry counts one more attempt.
      await control(storage).requestReplay("g", poison.id);
      await until(
        async () => (await consumer.getParked(poison.id))?.attempts === 2,
        "replay failed",
      );
      fixed = true;
      await control(storage).requestReplay("g", poison.id);
      await until(async () => (await consumer.getParked(poison.id)) === undefined, "replayed");
      await consumer.stop();
      assert.deepEqual(await probe.read(), [fine.id, poison.id]);
      assert.deepEqual(await control(storage).pendingReplays(), []);
    });

    test("a replay asked while no consumer of the group runs waits for one to start", async ({ store, storage, probe }) => {
      await store.append("order-1", batch(1));
      const [message] = await store.readAll().toArray();
      const failing = createGroupConsumer(store, {
        group: "g",
        source: { category: "order" },
        partitions: 2,
        storage,
        logger: silentLogger,
        controlInterval: false,
        retry: { maxAttempts: 1, ...NO_DELAY },
        handler: () => {
          throw new Error("bug");
        },
      });
      await failing.caughtUp;
      await failing.stop();
      await control(storage).requestReplay("g", message.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await control(storage).pendingReplays("g")).length, 1, "nobody took it");
      const member = createGroupConsumer(store, {
        group: "g",
        source: { category: "order" },
        partitions: 2,
        storage,
        logger: silentLogger,
        controlInterval: 100,
        handler: async (m, { tx }) => await probe.write(tx, m.id),
      });
      await until(
        async () => (await storage.parked.get("g", message.id)) === undefined,
        "replayed",
      );
      const [present] = await control(storage).running();
      assert.deepEqual([present.instance, present.partitions], [member.member, 2]);
      await member.stop();
      assert.deepEqual(await probe.read(), [message.id]);
    });
  });
}
