// The NATS control store beyond the contract: members of a group racing to
// take replay requests (over connections of their own) take each exactly once
// (fast-check property); nothing asked leaves no key behind (taken requests,
// withdrawn and expired presences are purged), so a member's look is one
// message get; a purge up to a revision keeps a later write of the key; a
// listing whose last key is purged as it starts ends instead of waiting; and
// the operators' tools (inspectConsumers, requestReplay) work on NATS alone:
// a group's state, source and lag, and a replay run by its running consumer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createConsumer, silentLogger } from "../../mod.ts";
import { inspectConsumers, requestReplay } from "../../admin/mod.ts";
import { createNatsConsumerStorage, type NatsConsumerStorage } from "../../stores/nats/mod.ts";
import { JetStreamApi, KvBucket, subjectCounts } from "../../stores/nats/jetstream/mod.ts";
import { natsServerMissing, startNats } from "../_nats_server.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { message } from "../contract/_fixtures.ts";
import { NO_DELAY, until } from "../contract/_consumer_fixtures.ts";
import { connectNats, deleteStreams, freshStore, useNats } from "../stores/_nats_fixtures.ts";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

if (natsServerMissing !== undefined) {
  describe("NATS control store", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS control store", () => {
    const nats = useNats();

    // Storages over one bucket, each on the connection given.
    const withBucket = async (
      connections: readonly NatsConnection[],
      body: (storages: NatsConsumerStorage[], bucket: string) => Promise<void>,
    ) => {
      const bucket = `control_${crypto.randomUUID().slice(0, 8)}`;
      const storages = connections.map((nc) => createNatsConsumerStorage(nc, { headers, bucket }));
      await storages[0].setup();
      try {
        await body(storages, bucket);
      } finally {
        for (const storage of storages) storage.close();
        await deleteStreams(nats.nc, [`KV_${bucket}`]);
      }
    };

    // Subjects of the bucket under a key prefix that hold anything, delete markers included.
    const subjectsUnder = async (bucket: string, prefix: string) => {
      const api = new JetStreamApi({ connection: nats.nc, headers });
      try {
        return [...(await subjectCounts(api, `KV_${bucket}`, `$KV.${bucket}.${prefix}.>`)).keys()];
      } finally {
        api.close();
      }
    };

    it("takeReplays() racing on three connections takes each request exactly once (property)", async () => {
      const server = await startNats();
      const connections = await Promise.all([1, 2, 3].map(() => connectNats(server.urls)));
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 25 }),
            fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 }),
            (ids, limits) =>
              withBucket(connections, async (storages) => {
                for (const n of ids) await storages[0].control.requestReplay("g", ID(n));
                const taken: string[] = [];
                for (let round = 0; round < 100; round++) {
                  const rounds = await Promise.all(
                    storages.map((s, i) => s.control.takeReplays("g", { limit: limits[i] })),
                  );
                  rounds.forEach((ids, i) => assert.ok(ids.length <= limits[i]));
                  taken.push(...rounds.flat());
                  if (rounds.every((ids) => ids.length === 0)) break;
                }
                assert.deepEqual([...taken].sort(), ids.map(ID).sort());
                assert.deepEqual(await storages[1].control.pendingReplays(), []);
              }),
          ),
          propertyParameters(10),
        );
      } finally {
        await Promise.all(connections.map((nc) => nc.close()));
        await server.release();
      }
    });

    it("takeReplays() leaves no key: a request asked again after it was taken is pending again", async () => {
      await withBucket([nats.nc], async ([storage], bucket) => {
        await storage.control.requestReplay("g", ID(1));
        await storage.control.requestReplay("g", ID(2));
        assert.deepEqual(await storage.control.takeReplays("g", { limit: 5 }), [ID(1), ID(2)]);
        assert.deepEqual(await subjectsUnder(bucket, "rq"), []);
        await storage.control.requestReplay("g", ID(1));
        assert.deepEqual((await storage.control.pendingReplays("g")).map((r) => r.messageId), [
          ID(1),
        ]);
      });
    });

    it("withdraw() and an expired presence leave no key; a live one stays", async () => {
      await withBucket([nats.nc], async ([storage], bucket) => {
        const announce = (instance: string, ttl: number) =>
          storage.control.announce({ group: "g", instance, source: { all: true }, partitions: 1 }, {
            ttl,
          });
        await announce("gone", 30);
        await announce("stops", 60_000);
        await announce("stays", 60_000);
        await storage.control.withdraw("g", "stops");
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual((await storage.control.running()).map((p) => p.instance), ["stays"]);
        assert.equal((await subjectsUnder(bucket, "pr")).length, 1);
      });
    });

    it("inspectConsumers() shows a NATS group running, what it reads and its lag; requestReplay() is run by it", async () => {
      const store = await freshStore(nats.nc);
      await withBucket([nats.nc], async ([storage]) => {
        const poison = message("Placed");
        await store.append("order-1", [poison, message("Placed")]);
        let fixed = false;
        const start = () =>
          createConsumer(store, {
            group: "g",
            source: { category: "order" },
            storage,
            logger: silentLogger,
            controlInterval: 50,
            retry: { maxAttempts: 1, ...NO_DELAY },
            handler: (m) => {
              if (m.id === poison.id && !fixed) throw new Error("bug");
            },
          });
        const consumer = start();
        await consumer.caughtUp;
        await until(async () => (await storage.control.running()).length === 1, "announced");
        const [running] = await inspectConsumers(store, storage);
        assert.deepEqual(
          [running.group, running.state, running.source, running.lag, running.parked],
          ["g", "running", { category: "order" }, 0, 1],
        );
        await consumer.stop();
        await store.append("order-2", [message("Placed"), message("Placed")]);
        await store.append("user-1", [message("Joined")]);
        const [stopped] = await inspectConsumers(store, storage);
        assert.deepEqual([stopped.state, stopped.lag], ["stopped", 2]);
        fixed = true;
        const again = start();
        await requestReplay(storage, poison.id);
        await until(
          async () => (await storage.parked.get("g", poison.id)) === undefined,
          "replayed",
        );
        await again.stop();
      }).finally(() => store.close());
    });

    it("a bucket listing whose last key is purged as it starts ends without it, not with an error", async () => {
      await withBucket([nats.nc], async ([storage], bucket) => {
        const kv = storage.bucket(bucket);
        for (const key of ["rq.a", "rq.b", "rq.c"]) await kv.put(key, "{}");
        const api = new JetStreamApi({ connection: nats.nc, headers });
        let purged = false;
        // The listing reads where the prefix ends (rq.c), then rq.c is purged before it pulls.
        const racing = new Proxy(api, {
          get(target, property) {
            const value = Reflect.get(target, property);
            if (property !== "getMessage") {
              return typeof value === "function" ? value.bind(target) : value;
            }
            return async (...args: Parameters<JetStreamApi["getMessage"]>) => {
              const found = await target.getMessage(...args);
              if (!purged) {
                purged = true;
                await kv.purge("rq.c");
              }
              return found;
            };
          },
        });
        const listing = new KvBucket(racing, bucket);
        try {
          assert.deepEqual((await listing.list("rq")).map((e) => e.key), ["rq.a", "rq.b"]);
          assert.ok(purged);
        } finally {
          listing.close();
          api.close();
        }
      });
    });

    it("a bucket purge up to a revision keeps a later write of the key", async () => {
      await withBucket([nats.nc], async ([storage], bucket) => {
        const kv = storage.bucket(bucket);
        const first = await kv.put("k", "1");
        await kv.put("k", "2");
        await kv.purge("k", first + 1);
        assert.equal((await kv.get("k"))?.value, "2");
        await kv.purge("k");
        assert.deepEqual(await subjectsUnder(bucket, "k"), []);
      });
    });
  });
}
