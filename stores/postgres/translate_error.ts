/**
 * Driver failures in ordo's terms: a lost or refused connection becomes
 * `StoreUnavailableError` (with the driver's error as `cause`); a table,
 * function or schema of ordo's that does not exist becomes
 * `NotMigratedError` (not retryable: call `migrate()`); anything else is
 * passed on unchanged, since after ordo's own validation it means a bug.
 *
 * @module
 */

import { ClosedError, NotMigratedError, OrdoError, StoreUnavailableError } from "../../core/mod.ts";

const ENDED_DRIVER =
  "database client (it was ended before the store and its consumers: stop consumers and close the store first)";

// postgres.js rejects every call after sql.end() with CONNECTION_ENDED; PGlite
// after pg.close() with "PGlite is closed", and during it with "PGlite is closing".
function isEndedByCaller(error: unknown, code: unknown): boolean {
  return code === "CONNECTION_ENDED" ||
    (error instanceof Error &&
      (error.message === "PGlite is closed" || error.message === "PGlite is closing"));
}

/**
 * Whether postgres.js destroyed the connection under a call
 * (`CONNECTION_DESTROYED`). `sql.end({ timeout })` does it to the calls still
 * running when the timeout passes; a pool of several hosts does it too when
 * it leaves a host for another (`target_session_attrs`). The code cannot
 * tell them apart; the store can, by whether it is closing (`StoreSql`).
 *
 * @example
 * ```ts
 * import { isConnectionDestroyed } from "./translate_error.ts";
 * isConnectionDestroyed({ code: "CONNECTION_DESTROYED" }); // true
 * ```
 */
export function isConnectionDestroyed(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "CONNECTION_DESTROYED";
}

/** SQLSTATEs that say the schema lacks what ordo's SQL names: undefined table, undefined function, invalid schema. */
const NOT_MIGRATED_CODES = new Set(["42P01", "42883", "3F000"]);

// postgres.js's own codes for connections it could not make or lost.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/**
 * Whether a driver error means the store could not be reached or went away:
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash,
 * starting up), 53300 (too many connections), or a socket-level code.
 *
 * @example
 * ```ts
 * import { isUnavailable } from "./translate_error.ts";
 * isUnavailable({ code: "57P01" }); // true: terminated by an administrator
 * ```
 */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" ||
    code === "53300" ||
    CONNECTION_CODES.has(code);
}

/**
 * Translates a driver error thrown during `operation`. Give `schema` only for
 * ordo's own statements: then a missing table, function or schema is the
 * schema's fault (`NotMigratedError`), where in a handler's SQL it would be
 * the handler's.
 *
 * @example
 * ```ts
 * import { translateError } from "./translate_error.ts";
 * const error = translateError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, "append");
 * console.log((error as Error).message); // Store unavailable during append: connect ECONNREFUSED
 * ```
 */
export function translateError(error: unknown, operation: string, schema?: string): unknown {
  if (error instanceof OrdoError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (isEndedByCaller(error, code)) {
    // The caller ended the driver (sql.end(), pg.close()): nothing will bring
    // it back, so retrying would only log and, for postgres.js's LISTEN, open
    // a connection that keeps the process alive. Closed, as a closed store is.
    return new ClosedError(ENDED_DRIVER, operation, { cause: error });
  }
  if (schema !== undefined && typeof code === "string" && NOT_MIGRATED_CODES.has(code)) {
    const detail = (error as { message?: unknown }).message;
    return new NotMigratedError(schema, typeof detail === "string" ? detail : String(error), {
      cause: error,
    });
  }
  if (isUnavailable(error)) {
    const detail = (error as { message?: unknown }).message;
    return new StoreUnavailableError(
      operation,
      typeof detail === "string" && detail ? detail : String(error),
      {
        cause: error,
      },
    );
  }
  return error;
}
