/**
 * Opening the store a command works on: PostgreSQL from `--url` or
 * `DATABASE_URL`, or a PGlite directory from `--pglite`, in `--schema`
 * (default `ordo`), with the consumer storage beside it. Connecting checks
 * the server answers, so that an unreachable database is said plainly,
 * before any command runs.
 *
 * @module
 */

import { resolve } from "node:path";
import type { ConsumerStorage } from "../core/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresEventStore,
  type Row,
  validateSchemaName,
} from "../stores/postgres/mod.ts";
import { loadPGlite, loadPostgres } from "./_drivers.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import type { CliIo } from "./_io.ts";

/** Where to connect, as the command line gave it. */
export interface ConnectOptions {
  readonly url?: string;
  readonly pglite?: string;
  readonly schema?: string;
}

/** An open store and its consumer storage. */
export interface Connection {
  readonly store: PostgresEventStore;
  readonly storage: ConsumerStorage<unknown>;
  /** Runs one statement on the same database (for migrate's version, a projection's reset). */
  readonly query: (text: string, params?: readonly unknown[]) => Promise<Row[]>;
  readonly schema: string;
  /** The database, for messages: the URL without its password, or the PGlite directory. */
  readonly where: string;
  close(): Promise<void>;
}

/** Connects as `options` (or `DATABASE_URL`) say. */
export async function connect(options: ConnectOptions, io: CliIo): Promise<Connection> {
  const schema = checkedSchema(options.schema ?? "ordo");
  const url = options.url ?? io.env.DATABASE_URL;
  if (options.pglite !== undefined && options.url !== undefined) {
    throw new CliUsageError("Give --url or --pglite, not both");
  }
  if (options.pglite !== undefined) {
    return await openPGlite(resolve(io.cwd, options.pglite), schema);
  }
  if (url === undefined || url === "") {
    throw new CliUsageError(
      "No database named: pass --url postgres://user:password@host:5432/db, set DATABASE_URL, or pass --pglite <directory>",
    );
  }
  return await openPostgres(url, schema);
}

function checkedSchema(schema: string): string {
  try {
    return validateSchemaName(schema);
  } catch (error) {
    throw new CliUsageError(`Invalid --schema "${schema}": ${(error as Error).message}`);
  }
}

/** The URL without its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    throw new CliUsageError(
      `Invalid --url or DATABASE_URL: expected postgres://user:password@host:5432/db`,
    );
  }
}

async function openPostgres(url: string, schema: string): Promise<Connection> {
  const where = redact(url);
  const postgres = await loadPostgres();
  const sql = postgres(url, { max: 4, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`SELECT 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new CliFailure(
      `Cannot reach PostgreSQL at ${where}: ${
        (error as Error).message
      }: check --url or DATABASE_URL, and that the server is running`,
      { cause: error },
    );
  }
  const store = createPostgresStore(sql, { schema });
  return {
    store,
    storage: createPostgresConsumerStorage(sql, { schema }) as ConsumerStorage<unknown>,
    query: (text, params = []) => sql.unsafe(text, params as never[]) as unknown as Promise<Row[]>,
    schema,
    where,
    close: async () => {
      await store.close();
      await sql.end({ timeout: 5 });
    },
  };
}

async function openPGlite(directory: string, schema: string): Promise<Connection> {
  const PGlite = await loadPGlite();
  let pg: InstanceType<typeof PGlite>;
  try {
    pg = await PGlite.create(directory);
  } catch (error) {
    throw new CliFailure(
      `Cannot open PGlite in ${directory}: ${
        (error as Error).message
      }: check --pglite, and that no other process has it open`,
      { cause: error },
    );
  }
  const store = createPGliteStore(pg, { schema });
  return {
    store,
    storage: createPGliteConsumerStorage(pg, { schema }) as ConsumerStorage<unknown>,
    query: async (text, params = []) => (await pg.query<Row>(text, params as unknown[])).rows,
    schema,
    where: `PGlite ${directory}`,
    close: async () => {
      await store.close();
      await pg.close();
    },
  };
}
