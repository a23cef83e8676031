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
import {
  createStoreOverDriver,
  type PostgresEventStore,
  type PostgresStoreOptions,
} from "./postgres_store.ts";
import type { PGliteTransaction, PostgresJsTransaction } from "./transactions.ts";
import {
  checkOptions,
  type ConsumerStorage,
  type JsonMessage,
  type MessageShape,
} from "../../core/mod.ts";
import {
  createConsumerStorageOverDriver,
  type PostgresConsumerStorageOptions,
} from "./consumer_storage.ts";

export type { PostgresDriver, QueryFn, Row } from "./driver.ts";
export type { PGliteTransaction, PostgresJsTransaction } from "./transactions.ts";
export {
  createConsumerStorageOverDriver,
  type PostgresConsumerStorageOptions,
} from "./consumer_storage.ts";
export { createLeaseStoreOverQuery } from "./lease_store.ts";
export type { PostgresEventStore, PostgresStoreOptions } from "./postgres_store.ts";
export { createStoreOverDriver } from "./postgres_store.ts";
export { pgliteDriver } from "./pglite_driver.ts";
export { postgresJsDriver } from "./postgres_js_driver.ts";
export { type Migration, MIGRATIONS } from "./migrations/mod.ts";
export { validateSchemaName } from "./schema_name.ts";

/**
 * Creates a store over a postgres.js `sql` instance (a PostgreSQL server).
 * The caller owns `sql` and ends it after `store.close()`.
 *
 * A store remembers the highest readable head it has seen, so that catch-up
 * reads below it need no head query. After emptying its tables with
 * `TRUNCATE … RESTART IDENTITY` (as tests do between cases), create a new
 * store: positions start again at 1, and the old one would trust a head that
 * no longer holds.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createPostgresStore } from "./mod.ts";
 * const store = createPostgresStore(postgres("postgres://localhost/app"), { schema: "orders" });
 * await store.migrate();
 * ```
 */
export function createPostgresStore<E extends MessageShape = JsonMessage>(
  sql: Sql,
  options?: PostgresStoreOptions,
): PostgresEventStore<E> {
  return createStoreOverDriver<E>(postgresJsDriver(sql), options);
}

/**
 * Creates a store over a PGlite instance: PostgreSQL embedded in this
 * process, in memory or in a directory. The caller owns the instance. As
 * with {@link createPostgresStore}, create a new store after emptying its
 * tables with `TRUNCATE … RESTART IDENTITY`.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createPGliteStore } from "./mod.ts";
 * const store = createPGliteStore(new PGlite()); // new PGlite("./data") keeps it in a directory
 * await store.migrate();
 * ```
 */
export function createPGliteStore<E extends MessageShape = JsonMessage>(
  pg: PGliteInterface,
  options?: PostgresStoreOptions,
): PostgresEventStore<E> {
  return createStoreOverDriver<E>(pgliteDriver(pg), options);
}

/**
 * Consumer storage beside a postgres.js store: checkpoints, parked messages,
 * processed records and leases in the same schema. Handlers get the
 * postgres.js transaction as `context.tx`; what they write through it commits
 * with the checkpoint. Needs `migrate()` of the store with the same schema.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { createPostgresConsumerStorage } from "./mod.ts";
 * const storage = createPostgresConsumerStorage(postgres("postgres://localhost/app"));
 * ```
 */
export function createPostgresConsumerStorage(
  sql: Sql,
  options?: PostgresConsumerStorageOptions,
): ConsumerStorage<PostgresJsTransaction> {
  return createConsumerStorageOverDriver(postgresJsDriver(sql), options);
}

/**
 * Consumer storage beside a PGlite store. Handlers get the PGlite transaction
 * as `context.tx` and must write through it only: PGlite has one connection,
 * so a query outside the transaction waits for it to end.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createPGliteConsumerStorage } from "./mod.ts";
 * const storage = createPGliteConsumerStorage(new PGlite());
 * ```
 */
export function createPGliteConsumerStorage(
  pg: PGliteInterface,
  options?: PostgresConsumerStorageOptions,
): ConsumerStorage<PGliteTransaction> {
  checkOptions(options, ["schema"]);
  return createConsumerStorageOverDriver(pgliteDriver(pg), { ...options, singleConnection: true });
}
