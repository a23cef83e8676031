/**
 * postgres.js behind the store's driver interface. Imports postgres.js's
 * types only: the caller creates the `sql` instance and passes it in.
 *
 * @module
 */

import type { Sql } from "postgres";
import type { PostgresDriver, Row } from "./driver.ts";

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
