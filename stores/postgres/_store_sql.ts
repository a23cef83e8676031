/**
 * What every part of one PostgreSQL store shares: the driver, the schema and
 * its statements, queries whose failures become ordo's errors, and whether
 * the store has been closed (after which it sends nothing more: the caller
 * may end the driver).
 *
 * @module
 */

import { StoreUnavailableError } from "../../core/mod.ts";
import type { PostgresDriver, Row } from "./driver.ts";
import type { Statements } from "./statements.ts";
import { translateError } from "./translate_error.ts";

/** One store's driver and statements, and its open or closed state. */
export class StoreSql {
  readonly driver: PostgresDriver;
  readonly schema: string;
  readonly statements: Statements;
  #closed = false;

  constructor(driver: PostgresDriver, schema: string, statements: Statements) {
    this.driver = driver;
    this.schema = schema;
    this.statements = statements;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Marks the store closed; every later {@link ensureOpen} throws. */
  close(): void {
    this.#closed = true;
  }

  /** @throws {StoreUnavailableError} once the store is closed */
  ensureOpen(operation: string): void {
    if (this.#closed) throw new StoreUnavailableError(operation, "the store is closed");
  }

  /** Runs one statement; a failure is thrown as ordo's error for `operation`. */
  async query(operation: string, text: string, params: unknown[]): Promise<Row[]> {
    try {
      return await this.driver.query(text, params);
    } catch (error) {
      throw this.translate(error, operation);
    }
  }

  /** A driver failure as ordo's error, saying to migrate when the schema has no tables. */
  translate(error: unknown, operation: string): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "42P01" || code === "42883" || code === "3F000") {
      return new StoreUnavailableError(
        operation,
        `schema "${this.schema}" has no ordo tables: call migrate() first`,
        { cause: error },
      );
    }
    return translateError(error, operation);
  }
}
