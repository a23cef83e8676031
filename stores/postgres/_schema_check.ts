/**
 * Whether a schema holds what this code needs: its tables, and migrations
 * at least up to the newest this code knows. Asked once per store (and per
 * consumer storage) before its first call; an answer of "no" is a
 * `NotMigratedError` naming the schema and saying to call `migrate()`, never
 * the retryable `StoreUnavailableError`, so consumers fail fast instead of
 * retrying what retrying cannot fix.
 *
 * @module
 */

import { NotMigratedError } from "../../core/mod.ts";
import type { QueryFn } from "./driver.ts";
import { MIGRATIONS } from "./migrations/mod.ts";
import { translateError } from "./translate_error.ts";

/** The newest migration this code needs. */
export const REQUIRED_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

const RESOLVED = Promise.resolve();

/** One schema's check, run at most once while it passes. */
export class SchemaCheck {
  readonly #schema: string;
  readonly #query: QueryFn;
  #passed = false;
  #checking: Promise<void> | undefined;

  /** `query` runs outside any transaction. */
  constructor(schema: string, query: QueryFn) {
    this.#schema = schema;
    this.#query = query;
  }

  /** True once the schema was found migrated (or this store migrated it). */
  get passed(): boolean {
    return this.#passed;
  }

  /** Marks the schema as migrated: `migrate()` just brought it up to date. */
  pass(): void {
    this.#passed = true;
  }

  /**
   * Resolves once the schema is known to be migrated; asks the server the
   * first time (calls made meanwhile share the question). A failure is not
   * remembered: the next call asks again (after `migrate()`, say).
   *
   * @throws {NotMigratedError} when the schema, its tables or its newest migrations are missing
   * @throws {StoreUnavailableError} when the server could not be asked
   */
  ensure(operation: string): Promise<void> {
    if (this.#passed) return RESOLVED;
    this.#checking ??= this.#check(operation).then(
      () => {
        this.#passed = true;
        this.#checking = undefined;
      },
      (error) => {
        this.#checking = undefined;
        throw error;
      },
    );
    return this.#checking;
  }

  async #check(operation: string): Promise<void> {
    let found: number;
    try {
      const [row] = await this.#query(
        `SELECT coalesce(max(version), 0)::int AS version FROM ${this.#schema}.migrations`,
        [],
      );
      found = Number(row.version);
    } catch (error) {
      throw translateError(error, operation, this.#schema);
    }
    if (found < REQUIRED_VERSION) {
      throw new NotMigratedError(this.#schema, "", {
        foundVersion: found,
        requiredVersion: REQUIRED_VERSION,
      });
    }
  }
}
