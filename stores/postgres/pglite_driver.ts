/**
 * PGlite (PostgreSQL in WebAssembly, in this process) behind the store's
 * driver interface. Imports PGlite's types only: the caller creates the
 * instance and passes it in.
 *
 * @module
 */

import type { PGliteInterface } from "@electric-sql/pglite";
import { OrdoError, ValidationError } from "../../core/mod.ts";
import type { PostgresDriver, Row } from "./driver.ts";

/**
 * Checks that `pg` is a PGlite instance (it has `query`, `transaction`,
 * `exec` and `listen`), so that a folder path or a postgres.js instance
 * passed by mistake is refused at once, saying what to pass.
 *
 * @throws {ValidationError} at `path` otherwise
 * @example
 * ```ts
 * import { validatePGlite } from "./pglite_driver.ts";
 * try {
 *   validatePGlite("./data");
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // Invalid pg "./data": expected a PGlite instance, not a path or URL: pass new PGlite(dataDir) (import { PGlite } from "@electric-sql/pglite")
 * }
 * ```
 */
export function validatePGlite(pg: unknown, path = "pg"): PGliteInterface {
  const calls = pg as Partial<Record<"query" | "transaction" | "exec" | "listen", unknown>> | null;
  if (
    typeof pg === "object" && calls !== null && typeof calls.query === "function" &&
    typeof calls.transaction === "function" && typeof calls.exec === "function" &&
    typeof calls.listen === "function"
  ) return pg as PGliteInterface;
  throw new ValidationError(
    path,
    pg,
    typeof pg === "string"
      ? 'expected a PGlite instance, not a path or URL: pass new PGlite(dataDir) (import { PGlite } from "@electric-sql/pglite")'
      : typeof pg === "function" && typeof (pg as { unsafe?: unknown }).unsafe === "function"
      ? "expected a PGlite instance; for a postgres.js instance use createPostgresStore(sql) and createPostgresConsumerStorage(sql)"
      : 'expected a PGlite instance, as new PGlite() gives (import { PGlite } from "@electric-sql/pglite")',
  );
}

/**
 * Adapts a PGlite instance. PGlite has one connection and never loses it, so
 * `onListen` runs once.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { pgliteDriver } from "./pglite_driver.ts";
 * const driver = pgliteDriver(new PGlite());
 * console.log(await driver.query("SELECT $1::int + 1 AS n", [41])); // [ { n: 42 } ]
 * ```
 */
export function pgliteDriver(pg: PGliteInterface): PostgresDriver {
  validatePGlite(pg);
  const closedUnder = (error: unknown) => closedUnderCall(pg, error);
  return {
    query: async (text, params) =>
      (await pg.query<Row>(text, params as unknown[]).catch(closedUnder)).rows,
    transaction: (work) =>
      pg.transaction((tx) =>
        work(
          tx,
          async (text, params) =>
            (await tx.query<Row>(text, params as unknown[]).catch(closedUnder)).rows,
        )
      ).catch(closedUnder),
    exec: async (text) => {
      await pg.exec(text).catch(closedUnder);
    },
    listen: async (channel, onNotify, onListen) => {
      const unlisten = await pg.listen(channel, onNotify);
      onListen();
      return () => unlisten();
    },
  };
}

// A call made in the same tick as pg.close() passes PGlite's own "is closed"
// check, waits for the close, and then fails inside PostgreSQL's WebAssembly
// with a bare TypeError (reading `_PostgresSendReadyForQueryIfNecessary`), on
// Node, Deno and Bun alike: a user who forgot to await a consumer's stop()
// before pg.close() read that in a warning. Any failure once PGlite is closed
// is rethrown as PGlite's own "PGlite is closed", which the store reports as
// a ClosedError saying to close it last; the original stays as the cause.
function closedUnderCall(pg: PGliteInterface, error: unknown): never {
  // ordo's own errors (a handler's, thrown through the transaction) keep their meaning.
  const kept = error instanceof OrdoError ||
    (error instanceof Error && error.message === "PGlite is closed");
  if (pg.closed && !kept) throw new Error("PGlite is closed", { cause: error });
  throw error;
}
