// Shared set-up for the PostgreSQL store tests: a migrated schema and a
// create() that empties it, so each test and property run starts clean.
import type { PostgresEventStore } from "../../stores/postgres/mod.ts";

/** Makes `create()` for the contract suite: empty the tables, then a new store over them. */
export function emptyingFactory(
  exec: (sql: string) => Promise<unknown>,
  makeStore: () => PostgresEventStore,
): () => Promise<PostgresEventStore> {
  return async () => {
    const store = makeStore();
    await exec(`TRUNCATE ${store.schema}.messages RESTART IDENTITY`);
    return store;
  };
}
