// The bus patterns over the NATS transport against a real nats-server started
// by the test: commands on a work-queue stream, queries over request/reply,
// events through the NATS store with a durable consumer per group. Each
// transport gets streams and buckets of its own; `reopen` makes another
// transport over the same ones (a restart).
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createNatsConsumerStorage } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { type NatsServer, natsServerMissing, startNats } from "../_nats_server.ts";
import { connectNats, freshStore } from "../stores/_nats_fixtures.ts";
import { testBusPatterns } from "./_bus_suite.ts";

if (natsServerMissing !== undefined) {
  describe("bus over the NATS transport", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("messaging on NATS", () => {
    let server: NatsServer & { release(): Promise<void> };
    let nc: NatsConnection;
    before(async () => {
      server = await startNats();
      nc = await connectNats(server.urls);
    });
    after(async () => {
      await nc.close();
      await server.release();
    });

    testBusPatterns({
      name: "the NATS transport",
      create: async () => {
        const store = await freshStore(nc, { keep: true });
        const names = {
          subjectPrefix: `bus_${store.subjectPrefix}`,
          commandStream: `${store.stream}_CMD`,
          ledgerBucket: `ledger_${store.subjectPrefix}`,
        };
        const storage = createNatsConsumerStorage(nc, {
          headers,
          bucket: `parked_${store.subjectPrefix}`,
        });
        await storage.setup();
        const make = () =>
          createNatsTransport(nc, {
            headers,
            store,
            storage,
            ...names,
            retry: { initialDelay: 5 },
          });
        const transport = make();
        await transport.setup();
        return { transport, reopen: make };
      },
      durableCheckpoints: true,
      propertyRuns: 10,
    });
  });
}
