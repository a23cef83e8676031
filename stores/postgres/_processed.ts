/**
 * Effects already done, in PostgreSQL: idempotency keys per scope, recorded
 * through `{ tx }` so that the record commits with the effect's transaction.
 *
 * @module
 */

import type { ProcessedMessageStore } from "../../core/mod.ts";
import type { OpenTransactions } from "./_open_transactions.ts";

/** Idempotency keys already used, per scope (`<schema>.processed`). */
export class PostgresProcessed<Tx> implements ProcessedMessageStore<Tx> {
  readonly #schema: string;
  readonly #transactions: OpenTransactions<Tx>;

  constructor(schema: string, transactions: OpenTransactions<Tx>) {
    this.#schema = schema;
    this.#transactions = transactions;
  }

  async has(scope: string, key: string, options?: { readonly tx?: Tx }): Promise<boolean> {
    const rows = await this.#transactions.through(options?.tx, "options.tx")(
      `SELECT 1 FROM ${this.#schema}.processed WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    return rows.length > 0;
  }

  async record(scope: string, key: string, options?: { readonly tx?: Tx }): Promise<void> {
    await this.#transactions.through(options?.tx, "options.tx")(
      `INSERT INTO ${this.#schema}.processed (scope, key) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [scope, key],
    );
  }
}
