// Stopping a consumer group member while its NATS server is away (its own
// node, SIGKILLed): stop() must not wait out every goodbye call's timeout in
// turn (the heartbeat in flight, each lease release, leaving the group: 5 s
// each, about 15 s in all), but give the storage one short wait and say that
// the leases were not released and expire after leaseTtl.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { createGroupConsumer } from "../../core/consumers/mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { keptLogger } from "../_kept_logger.ts";
import { until } from "../_until.ts";
import { freshNames, usePrivateNats } from "../stores/_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("a group member stopped while its NATS server is away", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("a group member stopped while its NATS server is away", () => {
    const nats = usePrivateNats();

    it("stops within one short wait and says its leases expire after leaseTtl", async () => {
      const logger = keptLogger();
      const store = createNatsStore(nats.nc, { headers, logger, ...freshNames() });
      await store.setup();
      const storage = createNatsConsumerStorage(nats.nc, {
        headers,
        logger,
        bucket: `stop_${freshNames().subjectPrefix}`,
      });
      await storage.setup();
      await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
      const member = createGroupConsumer(store, {
        group: "totals",
        source: { category: "order" },
        partitions: 3,
        storage,
        logger,
        leaseTtl: 9_000,
        // A heartbeat is nearly always in flight during the outage, as stop() comes.
        heartbeatInterval: 100,
        handler: () => {},
      });
      try {
        await member.caughtUp;
        assert.deepEqual(member.ownedPartitions(), [0, 1, 2]);
        await nats.server.nodes[0].kill();
        await until(
          () => logger.lines.includes("warn: Consumer storage failed; retrying"),
          "the outage to be noticed",
        );
        const started = performance.now();
        await member.stop();
        const took = performance.now() - started;
        assert.ok(took < 4_000, `stop() took ${Math.round(took)} ms`);
        const i = logger.lines.indexOf("warn: Leases not released; they expire after leaseTtl");
        assert.ok(i >= 0, logger.lines.join("\n"));
        assert.deepEqual(logger.fields[i].partitions, [0, 1, 2]);
        assert.equal(logger.fields[i].leaseTtl, 9_000);
        assert.equal(typeof logger.fields[i].waitedMs, "number");
        // Nothing more is said of the goodbye calls left behind, after stop() resolved.
        const said = logger.lines.length;
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        assert.deepEqual(logger.lines.slice(said), []);
      } finally {
        storage.close();
        await store.close();
      }
    });
  });
}
