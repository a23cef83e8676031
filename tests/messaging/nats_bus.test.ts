// The bus patterns over the NATS transport against a real nats-server started
// by the test: commands on a work-queue stream, queries over request/reply,
// events through the NATS store with a durable consumer per group. Each
// transport gets streams and buckets of its own; `reopen` makes another
// transport over the same ones (a restart).
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { createNatsConsumerStorage } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { freshStore, useNats } from "../stores/_nats_fixtures.ts";
import { testBusPatterns } from "./_bus_suite.ts";

if (natsServerMissing !== undefined) {
  describe("bus over the NATS transport", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("messaging on NATS", () => {
    const nats = useNats();

    testBusPatterns({
      name: "the NATS transport",
      create: async () => {
        const store = await freshStore(nats.nc, { keep: true });
        const names = {
          subjectPrefix: `bus_${store.subjectPrefix}`,
          commandStream: `${store.stream}_CMD`,
          ledgerBucket: `ledger_${store.subjectPrefix}`,
        };
        const storage = createNatsConsumerStorage(nats.nc, {
          headers,
          bucket: `parked_${store.subjectPrefix}`,
        });
        await storage.setup();
        const make = () =>
          createNatsTransport(nats.nc, {
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
      closeEndsWaits: true,
      results: { commands: "json", queries: "json" },
      propertyRuns: 10,
    });
  });
}
