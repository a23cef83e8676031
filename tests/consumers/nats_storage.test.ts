// NATS consumer storage beyond the contract: the checkpoint entry is the
// commit (its writes are applied again by the next load if the writer stopped
// before applying them), a holder whose lease is taken over while its work
// runs commits nothing, and the buckets are plain JetStream key-value buckets
// that @nats-io/kv reads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { createNatsConsumerStorage, type NatsConsumerStorage } from "../../stores/nats/mod.ts";
import { storageKey } from "../../stores/nats/nats_leases.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { deleteStreams, useNats } from "../stores/_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("NATS consumer storage", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS consumer storage", () => {
    const nats = useNats();

    const withStorage = async (
      body: (storage: NatsConsumerStorage, model: string, own: string) => Promise<void>,
    ) => {
      const id = crypto.randomUUID().slice(0, 8);
      const model = `model_${id}`;
      const storage = createNatsConsumerStorage(nats.nc, {
        headers,
        bucket: `storage_${id}`,
        buckets: [model],
      });
      await storage.setup();
      try {
        await body(storage, model, `storage_${id}`);
      } finally {
        storage.close();
        await deleteStreams(nats.nc, [`KV_storage_${id}`, `KV_${model}`]);
      }
    };

    it("load() applies the last commit's writes when its writer stopped before applying them", async () => {
      await withStorage(async (storage, model, own) => {
        // What a writer leaves when it stops right after its commit: the entry, not yet the writes.
        const entry = {
          p: "42",
          w: [{ bucket: model, key: "order.1", value: JSON.stringify({ total: 3 }) }],
        };
        const bucket = storage.bucket(own);
        await bucket.put(storageKey("cp", "totals", 0), JSON.stringify(entry));
        assert.equal(await storage.bucket(model).get("order.1"), undefined);
        assert.equal(await storage.checkpoints.load("totals", 0), 42n);
        assert.equal((await storage.bucket(model).get("order.1"))?.value, '{"total":3}');
        // Applied once: the entry no longer carries them.
        assert.equal(
          JSON.parse((await bucket.get(storageKey("cp", "totals", 0)))!.value).w,
          undefined,
        );
      });
    });

    it("commit() by a holder whose lease was taken over while its work ran resolves false and writes nothing", async () => {
      await withStorage(async (storage, model) => {
        const { leases, checkpoints } = storage;
        const old = await leases.acquire("g", 0, { owner: "a", ttl: 100 });
        assert.ok(old);
        let taken: Promise<unknown> | undefined;
        const committed = await checkpoints.commit(
          { group: "g", partition: 0, position: 9n, lease: old },
          async (tx) => {
            tx.put(model, "stale", "a was here");
            // The lease runs out and b takes the partition while a's handler is still busy.
            await new Promise((resolve) => setTimeout(resolve, 200));
            taken = leases.acquire("g", 0, { owner: "b", ttl: 60_000 });
            assert.ok(await taken, "b takes the expired lease");
          },
        );
        assert.equal(committed, false);
        assert.equal(await checkpoints.load("g", 0), undefined);
        assert.equal(await storage.bucket(model).get("stale"), undefined);
      });
    });

    it("acquire() never hands out a token below the checkpoint's fence, even if the lease entry went back", async () => {
      await withStorage(async (storage, _model, own) => {
        const { leases, checkpoints } = storage;
        const a = await leases.acquire("g", 0, { owner: "a", ttl: 50 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const b = await leases.acquire("g", 0, { owner: "b", ttl: 50 });
        assert.ok(a && b && b.token > a.token);
        // What a 2.9.10 cluster was seen to do after its leader was killed: the lease entry back to a's.
        const back = { o: "a", i: "a", t: String(a.token), x: 60_000, p: 0 };
        await storage.bucket(own).put(storageKey("ls", "g", 0), JSON.stringify(back));
        const renewed = await leases.acquire("g", 0, { owner: "a", ttl: 60_000 });
        assert.ok(
          renewed && renewed.token > b.token,
          `token ${renewed?.token} above b's ${b.token}`,
        );
        assert.equal(
          await checkpoints.commit(
            { group: "g", partition: 0, position: 3n, lease: renewed },
            () => {},
          ),
          true,
          "its holder can commit",
        );
        assert.equal(await checkpoints.load("g", 0), 3n);
      });
    });

    it("a membership or lease written before instances counts as another instance's until it expires", async () => {
      await withStorage(async (storage, _model, own) => {
        const { leases } = storage;
        const bucket = storage.bucket(own);
        // What releases before instances wrote: a bare expiry per member, a lease without `i`.
        const expiresAt = Date.now() + 60_000;
        await bucket.put(storageKey("mb", "g"), JSON.stringify({ m: expiresAt }));
        await bucket.put(
          storageKey("ls", "g", 0),
          JSON.stringify({ o: "m", t: "4", x: 60_000, p: 0, e: expiresAt }),
        );
        assert.deepEqual(await leases.groups!(), [{
          group: "g",
          members: ["m"],
          leases: [{ group: "g", partition: 0, owner: "m", token: 4n, expiresAt }],
        }]);
        await assert.rejects(
          leases.heartbeat("g", "m", { ttl: 1_000, instance: "new" }),
          /another running instance holds this name in group "g"/,
        );
        assert.equal(
          await leases.acquire("g", 0, { owner: "m", instance: "new", ttl: 1_000 }),
          undefined,
        );
        await bucket.put(storageKey("mb", "g"), JSON.stringify({ m: Date.now() - 1 }));
        assert.deepEqual(await leases.heartbeat("g", "m", { ttl: 1_000, instance: "new" }), ["m"]);
      });
    });

    it("writes plain key-value buckets that @nats-io/kv reads", async () => {
      await withStorage(async (storage, model) => {
        await storage.checkpoints.commit({ group: "g", partition: 0, position: 5n }, (tx) => {
          tx.put(model, "order.1", { total: 3 });
          tx.put(model, "order.2", { total: 4 });
          tx.delete(model, "order.2");
        });
        const kv = await new Kvm(jetstream(nats.nc)).open(model);
        assert.deepEqual((await kv.get("order.1"))?.json(), { total: 3 });
        const deleted = await kv.get("order.2");
        assert.ok(deleted === null || deleted.operation === "DEL");
        await kv.put("order.3", JSON.stringify({ total: 5 }));
        assert.equal((await storage.bucket(model).get("order.3"))?.value, '{"total":5}');
      });
    });
  });
}
