// The consumer contract against a real PostgreSQL server, through each
// supported postgres.js (3.4 and 4): the
// handler's writes go through context.tx, a postgres.js transaction, and
// commit with the checkpoint.
import { before, describe } from "node:test";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresJsTransaction,
} from "../../stores/postgres/mod.ts";
import { POSTGRES_DRIVERS } from "../_postgres_drivers.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { silentLogger } from "../../mod.ts";
import { testConsumerContract } from "../contract/consumer.ts";
import { CONSUMER_TABLES } from "./_postgres_consumer_fixtures.ts";

for (const driver of POSTGRES_DRIVERS) {
  describe(`consumers on PostgreSQL (${driver.name})`, () => {
    const pg = usePostgres({ max: 24, schema: "consumers", driver: driver.postgres });

    before(async () => {
      await pg.sql.unsafe(
        "CREATE TABLE consumers.probe (seq bigserial PRIMARY KEY, marker text NOT NULL)",
      );
    });

    testConsumerContract<PostgresJsTransaction>({
      name: `PostgreSQL (${driver.name})`,
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
}
