// The store contract against a real PostgreSQL 18 server (started from
// node_modules by the test itself), through each supported postgres.js (3.4 and 4).
import { describe } from "node:test";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import { POSTGRES_DRIVERS } from "../_postgres_drivers.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { testStoreContract } from "../contract/store.ts";
import { emptyingFactory } from "./_postgres_fixtures.ts";

for (const driver of POSTGRES_DRIVERS) {
  describe(`PostgreSQL store over ${driver.name}`, () => {
    const pg = usePostgres({ max: 20, schema: "contract", driver: driver.postgres });

    testStoreContract({
      name: `postgres (${driver.name})`,
      create: emptyingFactory(
        (text) => pg.sql.unsafe(text),
        () => createPostgresStore(pg.sql, { schema: "contract", pollInterval: 200 }),
      ),
      reopen: () => createPostgresStore(pg.sql, { schema: "contract" }),
      capabilities: { gapsInGlobalPositions: true, browsing: true },
      propertyRuns: 25,
    });
  });
}
