/**
 * @module
 * The PostgreSQL event store, over postgres.js (a PostgreSQL server) or PGlite
 * (PostgreSQL embedded in this process). Both share one SQL layer; the driver
 * is passed in, and only its types are imported, so this entry loads from a
 * URL too. Call `migrate()` once before use.
 *
 * Runs on: Deno (--allow-net --allow-env for postgres.js), Bun, Node.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createPostgresStore } from "./mod.ts";
 * const store = createPostgresStore(postgres(process.env.DATABASE_URL!));
 * await store.migrate();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * ```
 */

import type { PGliteInterface } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { pgliteDriver } from "./pglite_driver.ts";
import { postgresJsDriver } from "./postgres_js_driver.ts";
import { createStoreOverDriver, type PostgresEventStore, type PostgresStoreOptions } from "./postgres_store.ts";

export type { PostgresDriver, Row } from "./driver.ts";
export type { PostgresEventStore, PostgresStoreOptions } from "./postgres_store.ts";
export { createStoreOverDriver } from "./postgres_store.ts";
export { pgliteDriver } from "./pglite_driver.ts";
export { postgresJsDriver } from "./postgres_js_driver.ts";
export { MIGRATIONS, validateSchemaName } from "./schema.ts";

/**
 * Creates a store over a postgres.js `sql` instance (a PostgreSQL server).
 * The caller owns `sql` and ends it after `store.close()`.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createPostgresStore } from "./mod.ts";
 * const store = createPostgresStore(postgres("postgres://localhost/app"), { schema: "orders" });
 * await store.migrate();
 * ```
 */
export function createPostgresStore(sql: Sql, options?: PostgresStoreOptions): PostgresEventStore {
  return createStoreOverDriver(postgresJsDriver(sql), options);
}

/**
 * Creates a store over a PGlite instance: PostgreSQL embedded in this
 * process, in memory or in a directory. The caller owns the instance.
 *
 * @example
 * ```ts ignore
 * import { PGlite } from "@electric-sql/pglite";
 * import { createPGliteStore } from "./mod.ts";
 * const store = createPGliteStore(new PGlite("./data"));
 * await store.migrate();
 * ```
 */
export function createPGliteStore(pg: PGliteInterface, options?: PostgresStoreOptions): PostgresEventStore {
  return createStoreOverDriver(pgliteDriver(pg), options);
}
