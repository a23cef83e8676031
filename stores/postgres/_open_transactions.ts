/**
 * The transactions a PostgreSQL consumer storage has open, so that a
 * handler's `{ tx }` options on parked and processed records write through
 * the transaction its checkpoint commits in.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";
import type { PostgresDriver, QueryFn } from "./driver.ts";
import { translateError } from "./translate_error.ts";

/** Query functions by transaction: the driver's own outside one, the transaction's inside. */
export class OpenTransactions<Tx> {
  readonly #driver: PostgresDriver;
  readonly #open = new WeakMap<object, QueryFn>();

  constructor(driver: PostgresDriver) {
    this.#driver = driver;
  }

  /** The driver's query function, outside any transaction, its failures made ordo's errors. */
  outside(): QueryFn {
    return guarded(this.#driver.query);
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

// Driver failures outside a transaction become ordo's errors too.
function guarded(query: QueryFn): QueryFn {
  return async (text, params) => {
    try {
      return await query(text, params);
    } catch (error) {
      throw translateError(error, "consumer storage");
    }
  };
}
