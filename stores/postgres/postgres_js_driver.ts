/**
 * postgres.js behind the store's driver interface. Imports postgres.js's
 * types only: the caller creates the `sql` instance and passes it in.
 *
 * @module
 */

import type { Sql } from "postgres";
import { ValidationError } from "../../core/mod.ts";
import type { PostgresDriver, Row } from "./driver.ts";

/**
 * Checks that `sql` is a postgres.js instance, so that a connection string
 * or a PGlite instance passed by mistake is refused at once, saying what to
 * pass, rather than failing at the first call with a `TypeError`.
 *
 * @throws {ValidationError} at `path` otherwise
 * @example
 * ```ts
 * import { validatePostgresJs } from "./postgres_js_driver.ts";
 * try {
 *   validatePostgresJs("postgres://localhost/shop");
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // Invalid sql "postgres://localhost/shop": expected a postgres.js instance, not a connection string: pass postgres(url) (import postgres from "postgres")
 * }
 * ```
 */
export function validatePostgresJs(sql: unknown, path = "sql"): Sql {
  if (typeof sql === "function" && typeof (sql as Partial<Sql>).unsafe === "function") {
    return sql as Sql;
  }
  throw new ValidationError(
    path,
    sql,
    typeof sql === "string"
      ? 'expected a postgres.js instance, not a connection string: pass postgres(url) (import postgres from "postgres")'
      : typeof (sql as { exec?: unknown } | null)?.exec === "function"
      ? "expected a postgres.js instance; for a PGlite instance use createPGliteStore(pg) and createPGliteConsumerStorage(pg)"
      : 'expected a postgres.js instance, as postgres(url) gives (import postgres from "postgres")',
  );
}

/**
 * Adapts a postgres.js `sql` instance. Statements are prepared per connection;
 * LISTEN uses postgres.js's dedicated connection, which reconnects by itself
 * and runs `onListen` again each time it does.
 *
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { postgresJsDriver } from "./postgres_js_driver.ts";
 * const driver = postgresJsDriver(postgres("postgres://localhost/app"));
 * ```
 */
export function postgresJsDriver(sql: Sql): PostgresDriver {
  validatePostgresJs(sql);
  return {
    query: (text, params) =>
      sql.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<Row[]>,
    transaction: async (work) =>
      await sql.begin((tx) =>
        work(tx, (text, params) => tx.unsafe(text, params as never[]) as unknown as Promise<Row[]>)
      ) as never,
    exec: async (text) => {
      await sql.unsafe(text).simple();
    },
    listen: async (channel, onNotify, onListen) => {
      const request = await sql.listen(channel, onNotify, onListen);
      return () => request.unlisten();
    },
  };
}
