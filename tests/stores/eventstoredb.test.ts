// The store contract against a real EventStoreDB / KurrentDB server, when
// ORDO_EVENTSTOREDB_URL names one. No server can be installed on the machines
// this project is built on, so without the variable the suite is skipped, and
// the skipped test's name says why and how to run it.
import { after, describe, it } from "node:test";
import process from "node:process";
import { EventStoreDBClient } from "@eventstore/db-client";
import { createEventStoreDbStore } from "../../stores/eventstoredb/mod.ts";
import { testStoreContract } from "../contract/store.ts";

const url = process.env.ORDO_EVENTSTOREDB_URL;

if (url === undefined || url === "") {
  describe("EventStore contract: eventstoredb", () => {
    it.skip(
      "SKIPPED, no server: set ORDO_EVENTSTOREDB_URL (e.g. esdb://localhost:2113?tls=false) to run the store contract against a real EventStoreDB / KurrentDB server",
      () => {},
    );
  });
} else {
  describe("EventStoreDB store against a real server", () => {
    const client = EventStoreDBClient.connectionString(url);
    after(() => client.dispose());
    // Every create() gets its own namespace, so each test sees an empty store
    // on a server that keeps everything earlier runs wrote.
    const run = crypto.randomUUID().slice(0, 8);
    let n = 0;
    testStoreContract({
      name: "eventstoredb",
      // The contract runs on Deno too, to learn how it behaves against a server; the store refuses Deno by
      // default (docs/decisions/eventstoredb.md, "Runtimes"), and a server restart mid-run can crash that run.
      create: () =>
        createEventStoreDbStore(client, {
          namespace: `ordo_test_${run}_${n++}`,
          unsupportedRuntime: "allow",
        }),
      capabilities: { gapsInGlobalPositions: true },
      propertyRuns: 10,
    });
  });
}
