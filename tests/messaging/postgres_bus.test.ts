// The bus patterns over the store-backed transport on a real PostgreSQL
// server (postgres.js; wake-ups by LISTEN/NOTIFY), started by the test.
import { describe } from "node:test";
import { createPostgresConsumerStorage, createPostgresStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { CONSUMER_TABLES } from "../consumers/_postgres_consumer_fixtures.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { testBusPatterns } from "./_bus_suite.ts";

describe("messaging on PostgreSQL (postgres.js)", () => {
  const pg = usePostgres({ max: 16, schema: "messaging" });

  testBusPatterns({
    name: "the store-backed transport on PostgreSQL",
    create: async () => {
      await pg.sql.unsafe(
        `TRUNCATE messaging.messages, ${CONSUMER_TABLES("messaging")} RESTART IDENTITY`,
      );
      const make = () =>
        createStoreBackedTransport(
          createPostgresStore(pg.sql, { schema: "messaging", pollInterval: 100 }),
          {
            storage: createPostgresConsumerStorage(pg.sql, { schema: "messaging" }),
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
