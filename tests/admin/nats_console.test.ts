// The console's API on NATS alone: the NATS store and key-value consumer
// storage, against a real nats-server. The overview counts streams and lists
// categories, the stream browser pages and finds a message by id, the
// consumers page shows a group's lag and parked message, and a replay asked
// from the console runs in the group's running consumer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { type Consumer, createConsumer, silentLogger } from "../../mod.ts";
import { type AdminHandler, createAdminHandler } from "../../admin/mod.ts";
import { createNatsConsumerStorage, type NatsConsumerStorage } from "../../stores/nats/mod.ts";
import type { NatsEventStore } from "../../stores/nats/mod.ts";
import { until } from "../contract/_consumer_fixtures.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { deleteStreams, freshStore, useNats } from "../stores/_nats_fixtures.ts";

const BASE = "http://127.0.0.1:8080";
const OPERATOR = { authorization: "Bearer operator-token-7f3a9c" };
const REPLAY = { ...OPERATOR, "x-ordo-console": "1", origin: BASE };

if (natsServerMissing !== undefined) {
  describe("the console on NATS", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("the console on NATS", () => {
    const nats = useNats();
    const bucket = `console_${crypto.randomUUID().slice(0, 8)}`;
    let store: NatsEventStore;
    let storage: NatsConsumerStorage;
    let handler: AdminHandler;
    let running: Consumer;
    let poison: string;
    let fixed = false;
    const get = async (path: string) =>
      await (await handler.fetch(new Request(`${BASE}${path}`, { headers: OPERATOR }))).json();

    before(async () => {
      store = await freshStore(nats.nc);
      storage = createNatsConsumerStorage(nats.nc, { headers, bucket });
      await storage.setup();
      const placed = await store.append("order-1", [{ type: "OrderPlaced", data: { total: 7 } }]);
      poison = placed.positions[0].id;
      await store.append("order-2", [{ type: "OrderPlaced", data: { total: 3 } }]);
      await store.append("user-1", [{ type: "UserJoined", data: {} }]);
      running = createConsumer(store, {
        group: "totals",
        source: { category: "order" },
        storage,
        logger: silentLogger,
        controlInterval: 500, // counts as running for 1.5 s: a KV write per round, late on a loaded machine
        retry: { maxAttempts: 1, initialDelay: 0, maxDelay: 0 },
        handler: (m) => {
          if (m.id === poison && !fixed) throw new Error("total 7 is cursed");
        },
      });
      await running.caughtUp;
      await until(async () => (await storage.control.running()).length === 1, "announced");
      handler = createAdminHandler({
        store,
        storage,
        auth: { operator: { bearer: "operator-token-7f3a9c" } },
        sampleInterval: 50,
      });
    });

    after(async () => {
      await handler?.close();
      await running.stop();
      storage.close();
      await store.close();
      await deleteStreams(nats.nc, [`KV_${bucket}`]);
    });

    it("overview: streams counted, categories, the group running with its lag and parked message", async () => {
      const overview = await get("/api/overview");
      assert.deepEqual(overview.streams, { count: 3, capped: false });
      assert.deepEqual(overview.categories.map((c: { category: string }) => c.category), [
        "order",
        "user",
      ]);
      assert.deepEqual(overview.consumers, [{
        group: "totals",
        state: "running",
        lag: 0,
        lagCapped: false,
        parked: 1,
      }]);
    });

    it("streams page by name, and a message is found by its id", async () => {
      const first = await get("/api/streams?category=order&limit=1");
      assert.deepEqual([first.streams[0].streamName, first.end, first.next], [
        "order-1",
        false,
        "order-1",
      ]);
      const second = await get("/api/streams?category=order&limit=1&after=order-1");
      assert.deepEqual([second.streams[0].streamName, second.end], ["order-2", true]);
      const byId = await get(`/api/messages/${poison}`);
      assert.deepEqual([byId.message.streamName, byId.message.type], ["order-1", "OrderPlaced"]);
    });

    it("a replay asked from the console runs in the group's running consumer", async () => {
      fixed = true;
      const asked = await handler.fetch(
        new Request(`${BASE}/api/parked/totals/${poison}/replay`, {
          method: "POST",
          headers: REPLAY,
          body: "{}",
        }),
      );
      assert.equal(asked.status, 202);
      await until(async () => (await get("/api/parked")).entries.length === 0, "replayed");
      const consumers = await get("/api/consumers");
      assert.deepEqual([consumers.groups[0].group, consumers.groups[0].parked], ["totals", 0]);
    });
  });
}
