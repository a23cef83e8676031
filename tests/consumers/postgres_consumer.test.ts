// The consumer contract against a real PostgreSQL server (postgres.js): the
// handler's writes go through context.tx, a postgres.js transaction, and
// commit with the checkpoint.
import { before, describe } from "node:test";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresJsTransaction,
} from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { silentLogger } from "../../mod.ts";
import { testConsumerContract } from "../contract/consumer.ts";
import { CONSUMER_TABLES } from "./_postgres_consumer_fixtures.ts";

describe("consumers on PostgreSQL (postgres.js)", () => {
  const pg = usePostgres({ max: 24, schema: "consumers" });

  before(async () => {
    await pg.sql.unsafe(
      "CREATE TABLE consumers.probe (seq bigserial PRIMARY KEY, marker text NOT NULL)",
    );
  });

  testConsumerContract<PostgresJsTransaction>({
    name: "PostgreSQL (postgres.js)",
    createStore: async () => {
      await pg.sql.unsafe("TRUNCATE consumers.messages RESTART IDENTITY");
      return createPostgresStore(pg.sql, {
        schema: "consumers",
        pollInterval: 100,
        logger: silentLogger,
      });
    },
    createStorage: async () => {
      await pg.sql.unsafe(`TRUNCATE ${CONSUMER_TABLES("consumers")}`);
      return createPostgresConsumerStorage(pg.sql, { schema: "consumers" });
    },
    txProbe: async () => {
      await pg.sql.unsafe("TRUNCATE consumers.probe RESTART IDENTITY");
      return {
        write: async (tx, marker) => {
          await tx.unsafe("INSERT INTO consumers.probe (marker) VALUES ($1)", [marker]);
        },
        read: async () =>
          (await pg.sql.unsafe("SELECT marker FROM consumers.probe ORDER BY seq")).map((row) =>
            row.marker as string
          ),
      };
    },
    propertyRuns: 15,
    operations: true,
  });
});
