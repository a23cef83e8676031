// The bus patterns over the store-backed transport on PGlite (PostgreSQL
// embedded in this process; LISTEN/NOTIFY inside the process).
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { createPGliteConsumerStorage, createPGliteStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { CONSUMER_TABLES } from "../consumers/_postgres_consumer_fixtures.ts";
import { testBusPatterns } from "./_bus_suite.ts";

describe("messaging on PGlite", () => {
  let pg: PGlite;

  before(async () => {
    pg = await PGlite.create();
    await createPGliteStore(pg, { schema: "messaging" }).migrate();
  });

  after(async () => {
    await pg.close();
  });

  testBusPatterns({
    name: "the store-backed transport on PGlite",
    create: async () => {
      await pg.exec(
        `TRUNCATE messaging.messages, ${CONSUMER_TABLES("messaging")} RESTART IDENTITY`,
      );
      const make = () =>
        createStoreBackedTransport(
          createPGliteStore(pg, { schema: "messaging", pollInterval: 100 }),
          {
            storage: createPGliteConsumerStorage(pg, { schema: "messaging" }),
            retry: { initialDelay: 5 },
          },
        );
      return { transport: make(), reopen: make };
    },
    durableCheckpoints: true,
    // Queries are answered in-process; command results are stored as the reply.
    results: { commands: "json", queries: "reference" },
    propertyRuns: 8,
  });
});
