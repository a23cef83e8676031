// A PostgreSQL connection URL from the environment, checked before a driver
// sees it: postgres.js reads `localhost:5432` as a URL whose host is
// "calhost" and fails later with `getaddrinfo ENOTFOUND calhost`; this says
// what the variable should look like instead.
import { ValidationError } from "../mod.ts";

/** The shape every refusal shows. */
export const DATABASE_URL_SHAPE = "postgres://user:pass@host:5432/db";

/**
 * Checks a connection URL read from `variable` and returns it unchanged.
 *
 * @throws {ValidationError} at `variable` (its password hidden) when it is not a
 *   `postgres:` or `postgresql:` URL with a host, a numeric port if any, and at most a database name as its path
 * @example
 * ```ts
 * import { checkDatabaseUrl } from "./_database_url.ts";
 * checkDatabaseUrl("postgres://shop:secret@db.internal:5432/shop"); // returned as given
 * checkDatabaseUrl("localhost:5432"); // throws: Invalid env.DATABASE_URL "localhost:5432": must look like postgres://user:pass@host:5432/db
 * ```
 */
export function checkDatabaseUrl(value: string, variable = "env.DATABASE_URL"): string {
  const refuse = (detail = "") =>
    new ValidationError(variable, redact(value), `must look like ${DATABASE_URL_SHAPE}${detail}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse();
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw refuse(` (it starts with "${url.protocol}", not "postgres:")`);
  }
  if (url.hostname === "") throw refuse(" (it names no host)");
  if (!/^\/?[^/]*$/.test(url.pathname)) throw refuse(" (its path is more than a database name)");
  return value;
}

// A connection URL may hold a password; errors show it without one.
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
