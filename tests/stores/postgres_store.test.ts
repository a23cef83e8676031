// The store contract against a real PostgreSQL 18 server (started from
// node_modules by the test itself), through postgres.js.
import { after, before, describe } from "node:test";
import postgres from "postgres";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import { type PostgresServer, startPostgres } from "../_postgres_server.ts";
import { testStoreContract } from "../contract/store.ts";
import { emptyingFactory } from "./_postgres_fixtures.ts";

describe("PostgreSQL store over postgres.js", () => {
  let server: PostgresServer;
  let sql: postgres.Sql;

  before(async () => {
    server = await startPostgres();
    sql = postgres(server.url, { onnotice: () => {}, max: 20 });
    await createPostgresStore(sql, { schema: "contract" }).migrate();
  });

  after(async () => {
    await sql.end({ timeout: 5 });
    await server.stop();
  });

  testStoreContract({
    name: "postgres (postgres.js)",
    create: emptyingFactory(
      (text) => sql.unsafe(text),
      () => createPostgresStore(sql, { schema: "contract", pollInterval: 200 }),
    ),
    capabilities: { gapsInGlobalPositions: true },
    propertyRuns: 25,
  });
});
