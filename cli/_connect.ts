/**
 * Opening the store a command works on: PostgreSQL from `--url` or
 * `DATABASE_URL`, or a PGlite directory from `--pglite`, in `--schema`
 * (default `ordo`), or NATS JetStream from a `nats://` URL with `--stream`,
 * `--subject-prefix` and `--bucket` (`_connect_nats.ts`), with the consumer
 * storage beside it. Connecting checks
 * the server answers, so that an unreachable database, or one that refuses
 * the login, is said plainly before any command runs.
 *
 * @module
 */

import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type ConsumerStorage,
  createConsoleLogger,
  type Logger,
  ValidationError,
} from "../core/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
  type Row,
  validateSchemaName,
} from "../stores/postgres/mod.ts";
import { isNatsUrl, openNats } from "./_connect_nats.ts";
import type { Connection } from "./_connection.ts";
import { loadPGlite, loadPostgres } from "./_drivers.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import { connectFailure } from "./_postgres_refusal.ts";
import type { CliIo } from "./_io.ts";
import { type GivenNatsNames, natsFlagsGiven, natsNames } from "./_nats_names.ts";

export type { BrowsableStore, Connection } from "./_connection.ts";

/** Where to connect, as the command line gave it: `stream`, `subjectPrefix` and `bucket` on NATS. */
export interface ConnectOptions extends GivenNatsNames {
  readonly url?: string;
  readonly pglite?: string;
  readonly schema?: string;
}

/**
 * Connects as `options` (or `DATABASE_URL`) say. Only a command that
 * `creates` (migrate) may open a PGlite directory that does not exist yet:
 * for any other, a mistyped path would make a new, empty database.
 */
export async function connect(
  options: ConnectOptions,
  io: CliIo,
  creates = false,
): Promise<Connection> {
  const schema = checkedSchema(options.schema ?? "ordo");
  const url = options.url ?? io.env.DATABASE_URL;
  if (options.pglite !== undefined && options.url !== undefined) {
    throw new CliUsageError("Give --url or --pglite, not both");
  }
  if (options.pglite !== undefined) {
    refuseNatsNames(options, "PGlite");
    return await openPGlite(resolve(io.cwd, options.pglite), schema, creates, io);
  }
  if (url === undefined || url === "") {
    throw new CliUsageError(
      "No database named: pass --url postgres://user:password@host:5432/db (or nats://host:4222), set DATABASE_URL, or pass --pglite <directory>",
    );
  }
  if (isNatsUrl(url)) {
    if (options.schema !== undefined) {
      throw new CliUsageError(
        "--schema names a PostgreSQL schema: a NATS store has none (its names are --stream, --subject-prefix and --bucket)",
      );
    }
    return await openNats(url, natsNames(options), io, stderrLogger(io), creates);
  }
  refuseNatsNames(options, "PostgreSQL");
  return await openPostgres(url, schema, io);
}

/** Refuses `--stream`, `--subject-prefix` and `--bucket` for a store that is not on NATS. */
function refuseNatsNames(options: ConnectOptions, kind: string): void {
  const flags = natsFlagsGiven(options);
  if (flags.length === 0) return;
  const named = flags.length === 1
    ? `${flags[0]} is`
    : `${flags.slice(0, -1).join(", ")} and ${flags[flags.length - 1]} are`;
  throw new CliUsageError(
    `${named} for a store on NATS (--url nats://host:4222): a ${kind} store is named by its ` +
      "schema (--schema)",
  );
}

function checkedSchema(schema: string): string {
  try {
    return validateSchemaName(schema);
  } catch (error) {
    // The flag, not the library option it feeds, is what the user typed: say only why.
    const why = error instanceof ValidationError ? error.reason : (error as Error).message;
    throw new CliUsageError(`Invalid --schema "${schema}": ${why}`);
  }
}

const READS = "the command line reads PostgreSQL (postgres://user:password@host:5432/db), " +
  "NATS (nats://host:4222) or PGlite (--pglite <directory>)";

/** The URL without its password. */
function redact(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: text that is no URL (user:password@host:4222) may hold a password.
    throw new CliUsageError(
      `Invalid --url or DATABASE_URL: not a URL (no postgres:// or nats:// in front); ${READS}`,
    );
  }
  if (parsed.password !== "") parsed.password = "***";
  // Said at once: any other scheme would be tried as PostgreSQL and fail 10 s later, blaming the server.
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new CliUsageError(
      `Invalid --url or DATABASE_URL: ${parsed} is neither a postgres:// nor a nats:// URL; ${READS}`,
    );
  }
  return parsed.toString();
}

// How long the first answer may take. postgres.js's connect_timeout covers
// one TCP connect; a server that accepts and then closes (something that is
// not PostgreSQL on that port) makes it reconnect at once, again and again,
// so the check needs a deadline of its own.
const FIRST_ANSWER_SECONDS = 10;

async function openPostgres(url: string, schema: string, io: CliIo): Promise<Connection> {
  const signal = io.signal;
  const where = redact(url);
  const postgres = await loadPostgres();
  const sql = postgres(url, {
    max: 4,
    onnotice: () => {},
    connect_timeout: FIRST_ANSWER_SECONDS,
  });
  try {
    await firstAnswer(sql`SELECT 1`, signal);
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    if (signal.aborted) throw new CliFailure(`Stopped while connecting to ${where}`);
    throw new CliFailure(connectFailure(error, where), { cause: error });
  }
  const store = createPostgresStore(sql, { schema, logger: stderrLogger(io) });
  return {
    kind: "postgresql",
    store,
    migrate: () => store.migrate(),
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

/** Settles as `answer` does, or rejects when the deadline passes or `signal` aborts first. */
async function firstAnswer(answer: Promise<unknown>, signal: AbortSignal): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      answer,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `no answer within ${FIRST_ANSWER_SECONDS} s (is PostgreSQL listening on that port?)`,
              ),
            ),
          FIRST_ANSWER_SECONDS * 1000,
        );
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    answer.catch(() => {}); // left behind by a deadline: its failure is no one's
  }
}

async function openPGlite(
  directory: string,
  schema: string,
  creates: boolean,
  io: CliIo,
): Promise<Connection> {
  const found = await kindOf(directory);
  if (found === "file") {
    throw new CliUsageError(
      `Invalid --pglite ${directory}: it is a file; PGlite keeps its database in a directory`,
    );
  }
  if (found === undefined && !creates) {
    throw new CliFailure(
      `No PGlite database at ${directory}: the directory does not exist (check --pglite; ordo migrate --pglite makes a new one)`,
    );
  }
  // PGlite takes no lock: a second process opening the directory can corrupt
  // it. An open PGlite keeps postmaster.pid there (removed by its close()).
  // PGlite's pid in it is always -42, so whether its owner still runs cannot be told.
  const pidFile = join(directory, "postmaster.pid");
  if (found === "directory" && (await kindOf(pidFile)) === "file") {
    throw new CliFailure(
      `PGlite ${directory} may be open in another process (${pidFile} exists), and a second ` +
        "process can corrupt it: stop that process first. If none has it open (one was killed or " +
        `exited without closing PGlite), delete ${pidFile} and run this again`,
    );
  }
  // An empty directory holds no database: opening it would create one (39 MB)
  // for a command that only reads, or over a service that is about to.
  if (found === "directory" && !creates && !(await hasEntries(directory))) {
    throw new CliFailure(
      `No PGlite database at ${directory}: the directory is empty (ordo migrate --pglite makes ` +
        "one; if a service is creating it now, wait until that service has started)",
    );
  }
  // A directory with files but no PG_VERSION is not a database yet: most
  // likely a service creating it right now (PG_VERSION comes early, postmaster.pid
  // later). Opening it would create a second database over the first.
  if (
    found === "directory" && (await kindOf(join(directory, "PG_VERSION"))) !== "file" &&
    (await hasEntries(directory))
  ) {
    throw new CliFailure(
      `${directory} is not a PGlite database (it has no PG_VERSION file): if a service is ` +
        "creating it now, wait until that service has started; otherwise check --pglite",
    );
  }
  const PGlite = await loadPGlite();
  let pg: InstanceType<typeof PGlite>;
  try {
    pg = await PGlite.create(directory);
  } catch (error) {
    const reason = error instanceof Error && error.message !== "" && error.message !== "undefined"
      ? error.message
      : String(error);
    throw new CliFailure(
      `Cannot open PGlite in ${directory}: ${reason}: check --pglite, and that no other process has it open`,
      { cause: error },
    );
  }
  const store = createPGliteStore(pg, { schema, logger: stderrLogger(io) });
  return {
    kind: "postgresql",
    store,
    migrate: () => store.migrate(),
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

/** Whether `path` is a directory, a file, or nothing. */
async function kindOf(path: string): Promise<"directory" | "file" | undefined> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "file";
  } catch {
    return undefined;
  }
}

async function hasEntries(directory: string): Promise<boolean> {
  return (await readdir(directory)).length > 0;
}

// The store's lines (a lost connection, its recovery) go to standard error at
// every level: standard output carries only what the command prints, so that
// `--json` stays parseable (console.info would write to standard output).
function stderrLogger(io: CliIo): Logger {
  return createConsoleLogger({ write: (line) => io.err(`${line}\n`) });
}
