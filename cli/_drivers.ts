/**
 * The drivers (PostgreSQL's, PGlite, NATS's), loaded when a command needs one.
 * This is the one place in the package that imports an npm package at run time: the library
 * takes drivers as arguments, the command line has to make them. A bare
 * specifier resolves from node_modules under Node, Bun and Deno (with a
 * package.json); Deno running the command line from a URL has no
 * node_modules, so it falls back to an `npm:` specifier.
 *
 * @module
 */

import type { PGlite } from "@electric-sql/pglite";
import type { connect, headers } from "@nats-io/transport-node";
import type postgres from "postgres";
import { CliFailure } from "./_failure.ts";

/** postgres.js's default export: the function that makes an `sql`. */
export type PostgresFactory = typeof postgres;
/** PGlite's class. */
export type PGliteClass = typeof PGlite;

async function load<T>(names: readonly string[], install: string): Promise<T> {
  let first: unknown;
  for (const name of names) {
    try {
      return await import(name) as T;
    } catch (error) {
      first ??= error;
    }
  }
  throw new CliFailure(`Cannot load the driver: ${install}`, { cause: first });
}

/** postgres.js, for `--url` / `DATABASE_URL`. */
export async function loadPostgres(): Promise<PostgresFactory> {
  const module = await load<{ default: PostgresFactory }>(
    ["postgres", "npm:postgres@^4.2.0"],
    "install it next to ordo (npm install postgres), or run with npx -p ordo -p postgres ordo",
  );
  return module.default;
}

/** PGlite, for `--pglite <directory>`. */
export async function loadPGlite(): Promise<PGliteClass> {
  const module = await load<{ PGlite: PGliteClass }>(
    ["@electric-sql/pglite", "npm:@electric-sql/pglite@^0.5.16"],
    "install it next to ordo (npm install @electric-sql/pglite)",
  );
  return module.PGlite;
}

/** What the command line needs of `@nats-io/transport-node`. */
export interface NatsDriverModule {
  readonly connect: typeof connect;
  readonly headers: typeof headers;
}

/** The NATS client for Node, Bun and Deno, for `--url nats://…`. */
export async function loadNats(): Promise<NatsDriverModule> {
  return await load<NatsDriverModule>(
    ["@nats-io/transport-node", "npm:@nats-io/transport-node@^3.4.0"],
    "install it next to ordo (npm install @nats-io/transport-node)",
  );
}
