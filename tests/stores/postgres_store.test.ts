// The store contract against a real PostgreSQL 18 server (started from
// node_modules by the test itself), through postgres.js.
import { describe } from "node:test";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { testStoreContract } from "../contract/store.ts";
import { emptyingFactory } from "./_postgres_fixtures.ts";

describe("PostgreSQL store over postgres.js", () => {
  const pg = usePostgres({ max: 20, schema: "contract" });

  testStoreContract({
    name: "postgres (postgres.js)",
    create: emptyingFactory(
      (text) => pg.sql.unsafe(text),
      () => createPostgresStore(pg.sql, { schema: "contract", pollInterval: 200 }),
    ),
    reopen: () => createPostgresStore(pg.sql, { schema: "contract" }),
    capabilities: { gapsInGlobalPositions: true, browsing: true },
    propertyRuns: 25,
  });
});
