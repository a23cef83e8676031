/**
 * Consumer storage in PostgreSQL, beside the event store in the same schema:
 * checkpoints, parked messages, processed-message records and leases, each a
 * class over the driver, sharing the transactions a commit has open. A
 * commit runs the handler's work inside one PostgreSQL transaction and saves
 * the checkpoint in it, so a handler that writes its read model through
 * `context.tx` takes effect exactly once, whatever crashes.
 *
 * @module
 */

import { checkOptions, type ConsumerStorage } from "../../core/mod.ts";
import type { PostgresDriver } from "./driver.ts";
import { createLeaseStoreOverQuery } from "./lease_store.ts";
import { validateSchemaName } from "./schema_name.ts";
import { PostgresCheckpoints } from "./_checkpoints.ts";
import { PostgresControl } from "./_control.ts";
import { OpenTransactions } from "./_open_transactions.ts";
import { PostgresParked } from "./_parked.ts";
import { PostgresProcessed } from "./_processed.ts";

/** Options of the PostgreSQL consumer storage factories. */
export interface PostgresConsumerStorageOptions {
  /** The schema of the event store it sits beside (its tables come with `migrate()`). Default `"ordo"`. */
  readonly schema?: string;
}

/**
 * Builds consumer storage over a driver; the public factories pick the
 * driver. `Tx` is the driver's transaction type, what handlers get as
 * `context.tx`. Pass `singleConnection: true` for a driver with one
 * connection (PGlite), where a query outside the handler's transaction
 * would wait for it to end.
 *
 * Before its first statement the storage checks its schema once: missing
 * tables, or migrations older than this code's, are a `NotMigratedError`
 * naming the schema (call the store's `migrate()`), which a consumer does not
 * retry.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createConsumerStorageOverDriver, createStoreOverDriver, pgliteDriver } from "./mod.ts";
 * import type { PGliteTransaction } from "./mod.ts";
 * const driver = pgliteDriver(new PGlite());
 * await createStoreOverDriver(driver).migrate();
 * const storage = createConsumerStorageOverDriver<PGliteTransaction>(driver, { singleConnection: true });
 * console.log(await storage.checkpoints.load("counter", 0)); // undefined
 * ```
 */
export function createConsumerStorageOverDriver<Tx>(
  driver: PostgresDriver,
  options: PostgresConsumerStorageOptions & { readonly singleConnection?: boolean } = {},
): ConsumerStorage<Tx> {
  checkOptions(options, ["schema", "singleConnection"]);
  const schema = validateSchemaName(options.schema ?? "ordo");
  const transactions = new OpenTransactions<Tx>(driver, schema);
  return {
    checkpoints: new PostgresCheckpoints(driver, schema, transactions),
    parked: new PostgresParked(schema, transactions),
    processed: new PostgresProcessed(schema, transactions),
    leases: createLeaseStoreOverQuery(transactions.outside(), schema),
    control: new PostgresControl(transactions.outside(), schema),
    singleConnection: options.singleConnection ?? false,
  };
}
