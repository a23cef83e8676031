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

import type { ConsumerStorage } from "../../core/mod.ts";
import type { PostgresDriver } from "./driver.ts";
import { createLeaseStoreOverQuery } from "./lease_store.ts";
import { validateSchemaName } from "./schema_name.ts";
import { PostgresCheckpoints } from "./_checkpoints.ts";
import { OpenTransactions } from "./_open_transactions.ts";
import { PostgresParked } from "./_parked.ts";
import { PostgresProcessed } from "./_processed.ts";

/** Options of the PostgreSQL consumer storage factories. */
export interface PostgresConsumerStorageOptions {
  /** The schema of the event store it sits beside (its tables come with `migrate()`). Default `"ordo"`. */
  readonly schema?: string;
}

/**
 * Builds consumer storage over a driver; the public factories pick the driver.
 *
 * @example
 * ```ts ignore
 * import { createConsumerStorageOverDriver } from "./consumer_storage.ts";
 * import { postgresJsDriver } from "./postgres_js_driver.ts";
 * const storage = createConsumerStorageOverDriver(postgresJsDriver(sql), { schema: "shop" });
 * ```
 */
export function createConsumerStorageOverDriver<Tx>(
  driver: PostgresDriver,
  options: PostgresConsumerStorageOptions & { readonly singleConnection?: boolean } = {},
): ConsumerStorage<Tx> {
  const schema = validateSchemaName(options.schema ?? "ordo");
  const transactions = new OpenTransactions<Tx>(driver);
  return {
    checkpoints: new PostgresCheckpoints(driver, schema, transactions),
    parked: new PostgresParked(schema, transactions),
    processed: new PostgresProcessed(schema, transactions),
    leases: createLeaseStoreOverQuery(transactions.outside(), schema),
    singleConnection: options.singleConnection ?? false,
  };
}
