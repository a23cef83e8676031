/**
 * The transaction types consumer handlers receive as `context.tx`: the
 * driver's own, so a handler writes its read model with the API it knows.
 *
 * @module
 */

import type { Transaction } from "@electric-sql/pglite";
import type { TransactionSql } from "postgres";

/** A postgres.js transaction (`tx\`insert …\``, `tx.unsafe(…)`). */
export type PostgresJsTransaction = TransactionSql;

/** A PGlite transaction (`tx.query(…)`). */
export type PGliteTransaction = Transaction;
