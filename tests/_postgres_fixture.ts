// One PostgreSQL set-up for every test file that needs a server: call
// usePostgres() in a describe body and it starts (or joins) the process's
// server, opens a postgres.js pool on a fresh database, migrates a schema if
// asked, and tears all of it down in one after() hook, in an order that does
// not depend on the runner.
//
// Why one hook owns the whole teardown: Node, Bun and Deno agree on the order
// of after() hooks registered while a describe body runs (registration order),
// but not on hooks registered later (from inside a before() hook, Node and Bun
// run them at once and Deno at the end of the file), and Deno has no
// t.after(). A file that registered its own after() to close a store would run
// it after this fixture's, when the pool is already gone. So stores, extra
// clients and anything else that must go before the pool are handed to the
// fixture, and its hook closes them first.
import { after, before } from "node:test";
import postgres from "postgres";
import {
  createPostgresStore,
  type PostgresEventStore,
  type PostgresStoreOptions,
} from "../stores/postgres/mod.ts";
import { type PostgresServer, startPostgres } from "./_postgres_server.ts";

// postgres.js options, as its (url, options) form takes them.
type PoolOptions = NonNullable<Parameters<typeof postgres>[1]>;

/** Options of {@link usePostgres}. */
export interface UsePostgresOptions {
  /** Connections in the shared pool. */
  readonly max: number;
  /** A schema to migrate before the tests run. */
  readonly schema?: string;
  /** Also a store over the pool in `schema`, with these options (`fixture.store`). */
  readonly store?: Omit<PostgresStoreOptions, "schema">;
  /** More postgres.js options for the pool (an application_name, say). */
  readonly pool?: PoolOptions;
  /**
   * The postgres.js to make the pool and clients with: 4.x (`"postgres"`)
   * unless told. Files that run against each version pass a driver from
   * POSTGRES_DRIVERS (tests/_postgres_drivers.ts).
   */
  readonly driver?: typeof postgres;
}

/** What a test file gets from {@link usePostgres}, usable once the before() hooks ran. */
export interface PostgresFixture {
  readonly server: PostgresServer;
  /** The shared pool, ended at teardown after everything else. */
  readonly sql: postgres.Sql;
  /** The store asked for with `options.store`, migrated, closed at teardown. */
  readonly store: PostgresEventStore;
  /** A new store over the shared pool, closed at teardown before the pool ends. */
  createStore(options?: PostgresStoreOptions): PostgresEventStore;
  /**
   * A client of its own (one connection unless told), ended at teardown. Use
   * it, not a connection reserved from the pool, for a session a test
   * terminates: postgres.js 3.4.9 puts a released connection back in its pool
   * even when its backend was terminated, and the next query sent on it never
   * settles (porsager/postgres#1199).
   */
  client(options?: PoolOptions): postgres.Sql;
  /** Runs `close` at teardown, before any client or pool ends; the last registered runs first. */
  cleanup(close: () => unknown): void;
}

const QUIET = { onnotice: () => {} };

/**
 * Starts PostgreSQL for the enclosing describe and tears it down after it.
 *
 * @example
 * ```ts ignore
 * describe("my PostgreSQL tests", () => {
 *   const pg = usePostgres({ max: 10, schema: "mine", store: { pollInterval: 100 } });
 *   it("appends", async () => {
 *     await pg.store.append("order-1", [{ type: "T", data: {} }]);
 *   });
 * });
 * ```
 */
export function usePostgres(options: UsePostgresOptions): PostgresFixture {
  let server: PostgresServer | undefined;
  let sql: postgres.Sql | undefined;
  let store: PostgresEventStore | undefined;
  const driver = options.driver ?? postgres;
  const cleanups: (() => unknown)[] = [];
  const clients: postgres.Sql[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) {
      throw new Error(`usePostgres: ${what} was used before its before() hook ran`);
    }
    return value;
  };

  const fixture: PostgresFixture = {
    get server() {
      return ready(server, "the server");
    },
    get sql() {
      return ready(sql, "the pool");
    },
    get store() {
      return ready(store, "the store (pass options.store)");
    },
    createStore(storeOptions) {
      const made = createPostgresStore(fixture.sql, storeOptions);
      cleanups.push(() => made.close());
      return made;
    },
    client(clientOptions) {
      const made = driver(fixture.server.url, { ...QUIET, max: 1, ...clientOptions });
      clients.push(made);
      return made;
    },
    cleanup(close) {
      cleanups.push(close);
    },
  };

  before(async () => {
    server = await startPostgres();
    sql = driver(server.url, { ...QUIET, ...options.pool, max: options.max });
    if (options.schema === undefined) return;
    const migrating = options.store === undefined
      ? createPostgresStore(sql, { schema: options.schema })
      : (store = fixture.createStore({ ...options.store, schema: options.schema }));
    await migrating.migrate();
  });

  after(async () => {
    // Every step runs whatever failed before it, so the server is always let
    // go (Deno and Bun share it between files); the first failure is rethrown.
    const failures: unknown[] = [];
    const attempt = async (step: () => unknown) => {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    };
    for (const close of cleanups.reverse()) await attempt(close);
    for (const client of clients) await attempt(() => client.end({ timeout: 5 }));
    await attempt(() => sql?.end({ timeout: 5 }));
    await attempt(() => server?.stop());
    if (failures.length > 0) throw failures[0];
  });

  return fixture;
}
