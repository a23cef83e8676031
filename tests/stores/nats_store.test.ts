// The store contract against a real nats-server (Debian's 2.9, started by the
// test itself on a free port), through @nats-io/transport-node. Each store
// gets JetStream streams of its own. Without nats-server the suite is skipped
// and the skipped test's name says why.
import { describe, it } from "node:test";
import { natsServerMissing } from "../_nats_server.ts";
import { testStoreContract } from "../contract/store.ts";
import { freshStore, useNats } from "./_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("EventStore contract: nats", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store against a real nats-server", () => {
    const nats = useNats();

    testStoreContract({
      name: "nats",
      create: () => freshStore(nats.nc),
      // An append is one NATS message: at most the server's max_payload (1 MiB by default).
      capabilities: {
        gapsInGlobalPositions: true,
        maxAppendBytes: 1024 * 1024 - 1024,
        browsing: true,
      },
      propertyRuns: 20,
    });
  });
}
