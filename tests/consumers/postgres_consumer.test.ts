// The consumer contract against a real PostgreSQL server (postgres.js): the
// handler's writes go through context.tx, a postgres.js transaction, and
// commit with the checkpoint.
import { after, before, describe } from "node:test";
import postgres from "postgres";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresJsTransaction,
} from "../../stores/postgres/mod.ts";
import { type PostgresServer, startPostgres } from "../_postgres_server.ts";
import { testConsumerContract } from "../contract/consumer.ts";
import { CONSUMER_TABLES } from "./_postgres_consumer_fixtures.ts";

describe("consumers on PostgreSQL (postgres.js)", () => {
  let server: PostgresServer;
  let sql: postgres.Sql;

  before(async () => {
    server = await startPostgres();
    sql = postgres(server.url, { onnotice: () => {}, max: 24 });
    await createPostgresStore(sql, { schema: "consumers" }).migrate();
    await sql.unsafe(
      "CREATE TABLE consumers.probe (seq bigserial PRIMARY KEY, marker text NOT NULL)",
    );
  });

  after(async () => {
    await sql.end({ timeout: 5 });
    await server.stop();
  });

  testConsumerContract<PostgresJsTransaction>({
    name: "PostgreSQL (postgres.js)",
    createStore: async () => {
      await sql.unsafe("TRUNCATE consumers.messages RESTART IDENTITY");
      return createPostgresStore(sql, { schema: "consumers", pollInterval: 100 });
    },
    createStorage: async () => {
      await sql.unsafe(`TRUNCATE ${CONSUMER_TABLES("consumers")}`);
      return createPostgresConsumerStorage(sql, { schema: "consumers" });
    },
    txProbe: async () => {
      await sql.unsafe("TRUNCATE consumers.probe RESTART IDENTITY");
      return {
        write: async (tx, marker) => {
          await tx.unsafe("INSERT INTO consumers.probe (marker) VALUES ($1)", [marker]);
        },
        read: async () =>
          (await sql.unsafe("SELECT marker FROM consumers.probe ORDER BY seq")).map((row) =>
            row.marker as string
          ),
      };
    },
    propertyRuns: 15,
  });
});
