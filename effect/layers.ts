/**
 * Layers that provide the {@link EventStore} and {@link ConsumerStorage}
 * services: in memory, on a PostgreSQL server through postgres.js, and on
 * PGlite. A layer closes the store it made when its scope closes; a driver
 * passed as a value stays the caller's, a driver passed as a factory is the
 * layer's and is ended with it.
 *
 * @module
 */

import type { PGliteInterface } from "@electric-sql/pglite";
import { Context, Effect, Layer } from "effect";
import type { Sql } from "postgres";
import type {
  ConsumerStorage as ConsumerStoragePort,
  EventStore as EventStorePort,
  StoreUnavailableError,
  ValidationError,
} from "../core/mod.ts";
import {
  createMemoryConsumerStorage,
  createMemoryStore,
  type CreateMemoryStoreOptions,
} from "../stores/memory/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresEventStore,
  type PostgresStoreOptions,
} from "../stores/postgres/mod.ts";
import { fromOrdo } from "./_from_promise.ts";
import { ConsumerStorage } from "./consumer_storage.ts";
import { EventStore, makeEventStore } from "./event_store.ts";

/** Options of {@link postgresLayer} and {@link pgliteLayer}. */
export interface PostgresLayerOptions extends PostgresStoreOptions {
  /** Run `migrate()` when the layer is built (idempotent). Default `true`. */
  readonly migrate?: boolean;
}

/** What the store layers provide. */
export type StoreServices = EventStore | ConsumerStorage;

/**
 * Provides an existing Promise-based store as the {@link EventStore} service.
 * The caller keeps owning it: the layer does not close it.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../mod.ts";
 * import { storeLayer } from "./mod.ts";
 * const layer = storeLayer(createMemoryStore());
 * ```
 */
export function storeLayer(store: EventStorePort): Layer.Layer<EventStore> {
  return Layer.succeed(EventStore, makeEventStore(store));
}

/**
 * A fresh in-memory store and consumer storage, closed when the layer's scope
 * closes. Each build of the layer is a new, empty store.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { EventStore, memoryLayer } from "./mod.ts";
 * const head = EventStore.use((store) => store.headPosition);
 * console.log(await Effect.runPromise(Effect.provide(head, memoryLayer()))); // 0n
 * ```
 */
export function memoryLayer(options?: CreateMemoryStoreOptions): Layer.Layer<StoreServices> {
  return Layer.effectContext(
    Effect.map(
      ownedStore(Effect.sync(() => createMemoryStore(options))),
      (store) => services(store, createMemoryConsumerStorage()),
    ),
  );
}

/**
 * A PostgreSQL store and consumer storage over postgres.js, migrated unless
 * `migrate: false`. Pass `sql` to keep owning the connection pool, or a
 * factory (`() => postgres(url)`) to have the layer end the pool (after
 * closing the store) when its scope closes.
 *
 * @throws {StoreUnavailableError} in the error channel when migrating fails to reach the server
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * import { postgresLayer } from "./mod.ts";
 * const layer = postgresLayer(() => postgres(process.env.DATABASE_URL!), { schema: "orders" });
 * ```
 */
export function postgresLayer(
  sql: Sql | (() => Sql),
  options: PostgresLayerOptions = {},
): Layer.Layer<StoreServices, StoreUnavailableError | ValidationError> {
  const acquireSql = isSqlFactory(sql)
    ? Effect.acquireRelease(
      Effect.sync(sql),
      (owned) => Effect.promise(() => owned.end({ timeout: 5 })),
    )
    : Effect.succeed(sql);
  return Layer.effectContext(Effect.gen(function* () {
    const client = yield* acquireSql;
    const store = yield* ownedStore(Effect.sync(() => createPostgresStore(client, options)));
    if (options.migrate !== false) yield* migrate(store);
    return services(
      store,
      createPostgresConsumerStorage(client, { schema: options.schema }) as ConsumerStoragePort<
        unknown
      >,
    );
  }));
}

/**
 * A store and consumer storage on PGlite (PostgreSQL embedded in this
 * process), migrated unless `migrate: false`. Pass an instance to keep
 * owning it, or a factory (`() => new PGlite("./data")`) to have the layer
 * close it when its scope closes.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { pgliteLayer } from "./mod.ts";
 * const layer = pgliteLayer(() => new PGlite());
 * ```
 */
export function pgliteLayer(
  pg: PGliteInterface | (() => PGliteInterface | Promise<PGliteInterface>),
  options: PostgresLayerOptions = {},
): Layer.Layer<StoreServices, StoreUnavailableError | ValidationError> {
  const acquirePg = typeof pg === "function"
    ? Effect.acquireRelease(
      Effect.promise(async () => await pg()),
      (owned) => Effect.promise(() => owned.close()),
    )
    : Effect.succeed(pg);
  return Layer.effectContext(Effect.gen(function* () {
    const instance = yield* acquirePg;
    const store = yield* ownedStore(Effect.sync(() => createPGliteStore(instance, options)));
    if (options.migrate !== false) yield* migrate(store);
    return services(
      store,
      createPGliteConsumerStorage(instance, { schema: options.schema }) as ConsumerStoragePort<
        unknown
      >,
    );
  }));
}

function ownedStore<S extends EventStorePort>(make: Effect.Effect<S>) {
  return Effect.acquireRelease(make, (store) => Effect.promise(() => store.close()));
}

function migrate(
  store: PostgresEventStore,
): Effect.Effect<void, StoreUnavailableError | ValidationError> {
  return fromOrdo<void, StoreUnavailableError | ValidationError>([
    "StoreUnavailableError",
    "ValidationError",
  ], () => store.migrate());
}

function services(store: EventStorePort, storage: ConsumerStoragePort<unknown>) {
  return Context.make(EventStore, makeEventStore(store)).pipe(
    Context.add(ConsumerStorage, storage),
  );
}

function isSqlFactory(sql: Sql | (() => Sql)): sql is () => Sql {
  // A postgres.js `sql` is a function too (a tagged template); only it has `end`.
  return typeof (sql as Partial<Sql>).end !== "function";
}
