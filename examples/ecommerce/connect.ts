// How each service opens the shop's shared store, on PostgreSQL or (with
// NATS_URL set) on NATS JetStream: the event store, the consumer storage, the
// bus transport between the services and the inventory's reservations.
// PostgreSQL: one postgres.js pool to DATABASE_URL, the event store and the
// consumer storage in one schema, and the store's migrations, which are
// idempotent and serialized by an advisory lock, so all three services can
// start at once against an empty database.
import postgres from "postgres";
import type { ConsumerStorage, EventStore, Telemetry, Transport } from "../../mod.ts";
import { createPostgresConsumerStorage, createPostgresStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import type { ShopSettings } from "./_env.ts";
import { connectNatsShop } from "./connect_nats.ts";
import type { InventoryStore } from "./inventory_store.ts";
import { migrateInventory, sqlInventory } from "./inventory_tables.ts";

/** A service's connection to the shop's store. */
export interface ShopConnection {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<unknown>;
  readonly schema: string;
  /** The transport between the services: store-backed on PostgreSQL, the NATS transport on NATS. */
  transport(onError: (error: unknown) => void): Promise<Transport>;
  /** The inventory's reservations, ready to use (tables made, or the bucket). */
  inventory(): Promise<InventoryStore>;
  /** Closes the store and the connection; call after the bus is closed. */
  close(): Promise<void>;
}

/**
 * Connects as `service` (on PostgreSQL the connections' `application_name`,
 * so `pg_stat_activity` shows who holds what) and sets the store up. With
 * `telemetry`, the store (PostgreSQL or NATS) traces its appends, and the
 * transport, bus and consumers built on it inherit it.
 */
export async function connectShop(
  service: string,
  settings: ShopSettings,
  telemetry?: Telemetry,
): Promise<ShopConnection> {
  if (settings.natsUrl !== undefined) return await connectNatsShop(service, settings, telemetry);
  const sql = postgres(settings.databaseUrl!, {
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
  const storage = createPostgresConsumerStorage(sql, { schema: settings.schema });
  return {
    store,
    storage: storage as ConsumerStorage<unknown>,
    schema: settings.schema,
    transport: async (onError) => createStoreBackedTransport(store, { storage, onError }),
    async inventory() {
      await migrateInventory(sql, settings.schema);
      return sqlInventory(settings.schema);
    },
    async close() {
      await store.close();
      await sql.end({ timeout: 5 });
    },
  };
}
