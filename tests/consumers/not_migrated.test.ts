// Fail fast on an unmigrated schema, on PGlite and on a real PostgreSQL
// server (started by the test): see _not_migrated_suite.ts.
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
} from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { testNotMigrated } from "./_not_migrated_suite.ts";

describe("PGlite", () => {
  let pg: PGlite;
  before(async () => {
    pg = await PGlite.create();
  });
  after(async () => {
    await pg.close();
  });
  testNotMigrated({
    name: "PGlite",
    store: (schema) => createPGliteStore(pg, { schema }),
    storage: (schema) => createPGliteConsumerStorage(pg, { schema }),
    exec: (sql) => pg.exec(sql),
  });
});

describe("PostgreSQL", () => {
  const pg = usePostgres({ max: 8 });
  testNotMigrated({
    name: "PostgreSQL",
    store: (schema) => pg.createStore({ schema }),
    storage: (schema) => createPostgresConsumerStorage(pg.sql, { schema }),
    exec: (sql) => pg.sql.unsafe(sql).simple(),
  });
});
