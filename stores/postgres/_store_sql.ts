/**
 * What every part of one PostgreSQL store shares: the driver, the schema and
 * its statements, queries whose failures become ordo's errors, the check
 * that the schema is migrated, and whether the store has been closed (after
 * which it sends nothing more: the caller may end the driver).
 *
 * @module
 */

import { ClosedError, CloseGate, type Logger } from "../../core/mod.ts";
import type { PostgresDriver, Row } from "./driver.ts";
import { SchemaCheck } from "./_schema_check.ts";
import type { Statements } from "./statements.ts";
import { isConnectionDestroyed, translateError } from "./translate_error.ts";

// What a call cut off while the store closes was refused by, in its ClosedError.
const ENDED_WHILE_CLOSING = "store (it was closing when sql.end({ timeout }) cut this call off)";

/** One store's driver and statements, and its open or closed state. */
export class StoreSql {
  readonly driver: PostgresDriver;
  readonly schema: string;
  readonly statements: Statements;
  /** Where the store's parts report what they retry (a lost LISTEN, a failed poll). */
  readonly logger: Logger;
  /** Refuses calls after `close()` and lets close wait for the calls in flight. */
  readonly gate: CloseGate = new CloseGate("store");
  /** Whether the schema is migrated, asked once before the first call. */
  readonly schemaCheck: SchemaCheck;

  constructor(driver: PostgresDriver, schema: string, statements: Statements, logger: Logger) {
    this.driver = driver;
    this.schema = schema;
    this.statements = statements;
    this.logger = logger;
    this.schemaCheck = new SchemaCheck(schema, (text, params) => driver.query(text, params));
  }

  get closed(): boolean {
    return this.gate.closed;
  }

  /** @throws {ClosedError} once the store is closed */
  ensureOpen(operation: string): void {
    this.gate.ensureOpen(operation);
  }

  /**
   * Runs one call of the store's API: refused once closed, counted in flight
   * (close waits for it), after the schema check the first time.
   */
  run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.schemaCheck.passed) return this.gate.run(operation, work);
    return this.gate.run(operation, async () => {
      await this.schemaCheck.ensure(operation);
      return await work();
    });
  }

  /** Runs one statement; a failure is thrown as ordo's error for `operation`. */
  async query(operation: string, text: string, params: unknown[]): Promise<Row[]> {
    try {
      return await this.driver.query(text, params);
    } catch (error) {
      throw this.translate(error, operation);
    }
  }

  /**
   * A driver failure of ordo's own SQL as ordo's error: `NotMigratedError`
   * when the schema lacks a table or function. A connection postgres.js
   * destroyed under the call is `ClosedError` while the store closes (the
   * caller ended the driver with a timeout, nothing will bring it back, and a
   * retry would only log), else the retryable `StoreUnavailableError`: a
   * failover to another host destroys connections too.
   */
  translate(error: unknown, operation: string): unknown {
    if (this.closed && isConnectionDestroyed(error)) {
      return new ClosedError(ENDED_WHILE_CLOSING, operation, { cause: error });
    }
    return translateError(error, operation, this.schema);
  }
}
