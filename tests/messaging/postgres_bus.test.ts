// The bus patterns over the store-backed transport on a real PostgreSQL
// server (postgres.js; wake-ups by LISTEN/NOTIFY), started by the test.
import { after, before, describe } from "node:test";
import postgres from "postgres";
import { createPostgresConsumerStorage, createPostgresStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { CONSUMER_TABLES } from "../consumers/_postgres_consumer_fixtures.ts";
import { type PostgresServer, startPostgres } from "../_postgres_server.ts";
import { testBusPatterns } from "./_bus_suite.ts";

describe("messaging on PostgreSQL (postgres.js)", () => {
  let server: PostgresServer;
  let sql: postgres.Sql;

  before(async () => {
    server = await startPostgres();
    sql = postgres(server.url, { onnotice: () => {}, max: 16 });
    await createPostgresStore(sql, { schema: "messaging" }).migrate();
  });

  after(async () => {
    await sql.end({ timeout: 5 });
    await server.stop();
  });

  testBusPatterns({
    name: "the store-backed transport on PostgreSQL",
    create: async () => {
      await sql.unsafe(
        `TRUNCATE messaging.messages, ${CONSUMER_TABLES("messaging")} RESTART IDENTITY`,
      );
      const make = () =>
        createStoreBackedTransport(
          createPostgresStore(sql, { schema: "messaging", pollInterval: 100 }),
          {
            storage: createPostgresConsumerStorage(sql, { schema: "messaging" }),
            retry: { initialDelay: 5 },
          },
        );
      return { transport: make(), reopen: make };
    },
    durableCheckpoints: true,
    propertyRuns: 8,
  });
});
