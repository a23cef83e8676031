/**
 * What the command line says when its first query to PostgreSQL fails. A
 * server that answered and refused (a wrong password, a database that does
 * not exist) is told apart from one that did not answer: a user trial got
 * "…and that the server is running" for a mistyped password, and went to
 * look at a server that was running fine.
 *
 * @module
 */

/**
 * What to do about a refusal, by SQLSTATE. `database` is the name the URL
 * asked for. Codes not here get the general advice.
 */
const ADVICE: Record<string, (database: string) => string> = {
  // invalid_password
  "28P01": () => "check the user name and password in --url or DATABASE_URL",
  // invalid_authorization_specification: no pg_hba.conf entry, a role that does not exist
  "28000": () =>
    "check the user name in --url or DATABASE_URL, and that the server's pg_hba.conf lets " +
    "that user connect from this host (to a server that requires TLS, add ?sslmode=require)",
  // invalid_catalog_name
  "3D000": (database) =>
    `check the database name in --url or DATABASE_URL, or create the database (createdb ${database}) and run ordo migrate`,
  // insufficient_privilege: no CONNECT on the database
  "42501": (database) =>
    `grant the user CONNECT on the database (GRANT CONNECT ON DATABASE ${database} TO …), or connect as another user`,
  // object_not_in_prerequisite_state: the database does not allow connections
  "55000": () => "the database does not take connections now: ask its administrator",
  // too_many_connections
  "53300": () =>
    "every connection slot is taken: try again when fewer clients are connected, or raise the server's max_connections",
  // cannot_connect_now: starting up, shutting down, in recovery
  "57P03": () => "the server is starting up or shutting down: try again in a moment",
};

/**
 * The sentence for a failed first query to PostgreSQL at `where` (the URL
 * without its password): the server's refusal with its SQLSTATE and what to
 * do about it, or, when it did not answer, what to check.
 *
 * @example
 * ```ts
 * import { connectFailure } from "./_postgres_refusal.ts";
 * const refused = Object.assign(new Error('database "shop" does not exist'), { code: "3D000", severity: "FATAL" });
 * connectFailure(refused, "postgres://me:***@db:5432/shop");
 * // 'PostgreSQL at postgres://me:***@db:5432/shop refused the connection: database "shop" does not exist (3D000): check the database name …'
 * ```
 */
export function connectFailure(error: unknown, where: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  // postgres.js 4 reads what a server that is not PostgreSQL sends (an HTTP
  // server on a mistyped port) and rejects at once with PROTOCOL_ERROR; 3.4
  // reconnects until openPostgres's deadline, which says the same.
  if ((error as { code?: unknown } | null)?.code === "PROTOCOL_ERROR") {
    return `Cannot reach PostgreSQL at ${where}: ${message}: is PostgreSQL listening on that port? Check the port in --url or DATABASE_URL`;
  }
  if (code === undefined) {
    return `Cannot reach PostgreSQL at ${where}: ${message}: check --url or DATABASE_URL, and that the server is running`;
  }
  const advice = ADVICE[code]?.(databaseOf(where)) ?? "check --url or DATABASE_URL";
  return `PostgreSQL at ${where} refused the connection: ${message} (${code}): ${advice}`;
}

/**
 * The SQLSTATE of an error the server sent, `undefined` for one it did not
 * (postgres.js's own codes, such as `ECONNREFUSED` and `CONNECT_TIMEOUT`, name
 * no server answer; `EPIPE` is five letters too, so the server's severity is
 * what tells them apart).
 */
function sqlState(error: unknown): string | undefined {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof code !== "string" || typeof severity !== "string") return undefined;
  return /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

// Without a database in the URL, PostgreSQL takes the user's name.
function databaseOf(where: string): string {
  const url = new URL(where);
  return decodeURIComponent(url.pathname.slice(1) || url.username) || "<name>";
}
