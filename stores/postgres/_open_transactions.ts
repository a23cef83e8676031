/**
 * The transactions a PostgreSQL consumer storage has open, so that a
 * handler's `{ tx }` options on parked and processed records write through
 * the transaction its checkpoint commits in.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";
import type { PostgresDriver, QueryFn } from "./driver.ts";
import { SchemaCheck } from "./_schema_check.ts";
import { translateError } from "./translate_error.ts";

/** Query functions by transaction: the driver's own outside one, the transaction's inside. */
export class OpenTransactions<Tx> {
  readonly #open = new WeakMap<object, QueryFn>();
  readonly #outside: QueryFn;
  /** The schema this storage's tables are in. */
  readonly schema: string;
  /** Whether the schema is migrated: asked once, before the storage's first statement. */
  readonly schemaCheck: SchemaCheck;

  constructor(driver: PostgresDriver, schema: string) {
    this.schema = schema;
    this.schemaCheck = new SchemaCheck(schema, (text, params) => driver.query(text, params));
    this.#outside = guarded(driver.query, schema, this.schemaCheck);
  }

  /**
   * The driver's query function, outside any transaction, its failures made
   * ordo's errors (`NotMigratedError` for a schema without ordo's tables).
   */
  outside(): QueryFn {
    return this.#outside;
  }

  /** Runs `work` with `native` open: `through(native)` answers `query` until it settles. */
  async within<T>(native: Tx, query: QueryFn, work: () => Promise<T>): Promise<T> {
    this.#open.set(native as object, query);
    try {
      return await work();
    } finally {
      this.#open.delete(native as object);
    }
  }

  /**
   * The query function for `tx`, or outside any transaction when there is none.
   *
   * @throws {ValidationError} at `path` when `tx` is not a transaction this storage has open
   */
  through(tx: Tx | undefined, path: string): QueryFn {
    if (tx === undefined) return this.outside();
    const query = this.#open.get(tx as object);
    if (query === undefined) {
      throw new ValidationError(path, tx, "not an open transaction of this storage");
    }
    return query;
  }
}

// Driver failures outside a transaction become ordo's errors too; the schema is checked first, once.
function guarded(query: QueryFn, schema: string, check: SchemaCheck): QueryFn {
  return async (text, params) => {
    if (!check.passed) await check.ensure("consumer storage");
    try {
      return await query(text, params);
    } catch (error) {
      throw translateError(error, "consumer storage", schema);
    }
  };
}
