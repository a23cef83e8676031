// `ordo consumers` and `ordo status` on NATS list the NATS transport's
// `bus.subscribe` groups beside the consumers of the storage: their position
// is no checkpoint entry but the ack floor of their durable JetStream consumer
// on the store's stream (`evt_<group>`), which the command line reads there.
// On a nats-server of its own, with the store's and storage's default names.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { createBus, type RetryPolicy, silentLogger } from "../../mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { until } from "../_until.ts";
import { usePrivateNats } from "../stores/_nats_fixtures.ts";
import { json, ordo, said } from "./_cli_fixture.ts";

// A bus over the NATS transport, on a store and storage of the default names:
// what the command line opens without --stream or --bucket.
async function defaultBus(nc: NatsConnection, retry?: RetryPolicy) {
  const store = createNatsStore(nc, { headers, logger: silentLogger });
  const storage = createNatsConsumerStorage(nc, { headers, logger: silentLogger });
  await store.setup();
  await storage.setup();
  const transport = createNatsTransport(nc, {
    headers,
    store,
    storage,
    logger: silentLogger,
    retry,
  });
  await transport.setup();
  return { store, storage, bus: createBus({ transport, logger: silentLogger }) };
}

if (natsServerMissing !== undefined) {
  describe("ordo on NATS: the transport's event groups", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("ordo on NATS: the transport's event groups", () => {
    const nats = usePrivateNats();
    const run = (...args: string[]) => ordo([...args, "--url", nats.server.urls[0]], { url: null });

    it("lists each bus.subscribe group with its source, position, lag and whether it runs", async () => {
      const { store, storage, bus } = await defaultBus(nats.nc);
      const audited: string[] = [];
      const audit = bus.subscribe("audit", { category: "order" }, (event) => {
        audited.push(event.id);
      });
      const mailer = bus.subscribe("mailer.welcome", ["users/joined"], () => {});
      await Promise.all([audit.ready, mailer.ready]);
      await bus.publish({ type: "orders/placed", data: {}, stream: "order-1" });
      await bus.publish({ type: "orders/placed", data: {}, stream: "order-2" });
      await bus.publish({ type: "users/joined", data: {}, stream: "user-7" });
      await until(() => audited.length === 2, "the audit group to handle both orders");
      // The mailer's ack of the user's event, and the audit's of the second order, land.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const head = await store.headPosition();

      const listed = await run("consumers", "--json");
      assert.equal(listed.code, 0, said(listed));
      const groups = json(listed) as Record<string, unknown>[];
      assert.deepEqual(groups.map((g) => g.group), ["audit", "mailer.welcome"]);
      const [a, m] = groups as {
        source: unknown;
        state: string;
        lag: number;
        partitions: { checkpoint: string }[];
      }[];
      assert.deepEqual(a.source, { category: "order" });
      assert.equal(a.state, "running");
      assert.equal(a.lag, 0, "both orders handled");
      // Its next read starts past the last order it acknowledged.
      assert.ok(BigInt(a.partitions[0].checkpoint) > 0n);
      // Event names are matched in the process: from outside, the group reads the whole store.
      assert.deepEqual(m.source, { all: true });
      assert.equal(m.lag, 0);
      assert.ok(BigInt(m.partitions[0].checkpoint) > head, "past the head: nothing left");

      const status = await run("status");
      assert.equal(status.code, 0, said(status));
      assert.match(status.stdout, /^Consumers +2$/m);
      assert.match(status.stdout, /^ +audit +running +0 +0$/m);

      await bus.close();
      await until(async () => {
        const after = await run("consumers", "audit", "--json");
        return (json(after) as { state: string }[])[0]?.state === "stopped";
      }, "the closed bus's group to show stopped");
      await store.close();
      storage.close();
    });

    it("refuses to replay a transport group's parked message: the transport takes no replays", async () => {
      const { store, storage, bus } = await defaultBus(nats.nc, {
        maxAttempts: 1,
        initialDelay: 0,
        maxDelay: 0,
      });
      const ledger = bus.subscribe("ledger", { category: "invoice" }, () => {
        throw new Error("ledger closed");
      });
      await ledger.ready;
      const { id } = await bus.publish({ type: "invoices/sent", data: {}, stream: "invoice-1" });
      await until(async () => (await storage.parked.get("ledger", id)) !== undefined, "parked");

      const listed = await run("consumers", "ledger", "--json");
      assert.equal(listed.code, 0, said(listed));
      assert.equal((json(listed) as { transport?: string }[])[0].transport, "nats");
      // It waited its 30 s for a replay nothing takes, counting the durable as a running consumer.
      const one = await run("parked", "replay", id, "--wait", "5");
      assert.equal(one.code, 1, said(one));
      assert.match(one.stderr, /"ledger".*is a NATS transport group/);
      const all = await run("parked", "replay", "--all", "--no-wait");
      assert.equal(all.code, 0, said(all));
      assert.match(all.stderr, /Group "ledger" is a NATS transport group/);
      assert.deepEqual(await storage.control.pendingReplays("ledger"), []);

      await bus.close();
      await store.close();
      storage.close();
    });
  });
}
