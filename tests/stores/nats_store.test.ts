// The store contract against a real nats-server (Debian's 2.9, started by the
// test itself on a free port), through @nats-io/transport-node. Each store
// gets JetStream streams of its own. Without nats-server the suite is skipped
// and the skipped test's name says why.
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/nats-core";
import { type NatsServer, natsServerMissing, startNats } from "../_nats_server.ts";
import { testStoreContract } from "../contract/store.ts";
import { connectNats, freshStore } from "./_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("EventStore contract: nats", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store against a real nats-server", () => {
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

    testStoreContract({
      name: "nats",
      create: () => freshStore(nc),
      // An append is one NATS message: at most the server's max_payload (1 MiB by default).
      capabilities: { gapsInGlobalPositions: true, maxAppendBytes: 1024 * 1024 - 1024 },
      propertyRuns: 20,
    });
  });
}
