/**
 * PGlite (PostgreSQL in WebAssembly, in this process) behind the store's
 * driver interface. Imports PGlite's types only: the caller creates the
 * instance and passes it in.
 *
 * @module
 */

import type { PGliteInterface } from "@electric-sql/pglite";
import type { PostgresDriver, Row } from "./driver.ts";

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
  return {
    query: async (text, params) => (await pg.query<Row>(text, params as unknown[])).rows,
    transaction: (work) =>
      pg.transaction((tx) =>
        work(tx, async (text, params) => (await tx.query<Row>(text, params as unknown[])).rows)
      ),
    exec: async (text) => {
      await pg.exec(text);
    },
    listen: async (channel, onNotify, onListen) => {
      const unlisten = await pg.listen(channel, onNotify);
      onListen();
      return () => unlisten();
    },
  };
}
