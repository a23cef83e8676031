// How each service opens the shared store: one postgres.js pool to
// DATABASE_URL, the event store and the consumer storage in one schema, and the
// store's migrations, which are idempotent and serialized by an advisory lock,
// so all three services can start at once against an empty database.
import postgres from "postgres";
import type { ConsumerStorage, EventStore, Telemetry } from "../../mod.ts";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresJsTransaction,
} from "../../stores/postgres/mod.ts";
import type { ShopSettings } from "./_env.ts";

/** A service's connection to the shop's store. */
export interface ShopConnection {
  readonly sql: postgres.Sql;
  readonly store: EventStore;
  readonly storage: ConsumerStorage<PostgresJsTransaction>;
  readonly schema: string;
  /** Closes the store (stops its LISTEN) and ends the pool; call after the bus is closed. */
  close(): Promise<void>;
}

/**
 * Connects as `service` (the connections' `application_name`, so
 * `pg_stat_activity` shows who holds what) and migrates the store. With
 * `telemetry`, the store traces its appends, and the transport, bus and
 * consumers built on it inherit it.
 */
export async function connectShop(
  service: string,
  settings: ShopSettings,
  telemetry?: Telemetry,
): Promise<ShopConnection> {
  const sql = postgres(settings.databaseUrl, {
    max: 8,
    onnotice: () => {},
    connection: { application_name: service },
  });
  // Wake-ups come by LISTEN/NOTIFY; the poll is only the fallback for a lost notification.
  const store = createPostgresStore(sql, {
    schema: settings.schema,
    pollInterval: 500,
    telemetry,
  });
  try {
    await store.migrate();
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  return {
    sql,
    store,
    storage: createPostgresConsumerStorage(sql, { schema: settings.schema }),
    schema: settings.schema,
    async close() {
      await store.close();
      await sql.end({ timeout: 5 });
    },
  };
}
