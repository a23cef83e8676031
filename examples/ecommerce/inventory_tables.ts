// The inventory service's own tables, beside the store in the shared schema.
// Created at start in one transaction under an advisory lock, so several
// inventory processes starting at once do not race on CREATE TABLE (IF NOT
// EXISTS is not safe against a concurrent creator), and seeded once.
import type postgres from "postgres";
import type { PostgresJsTransaction } from "../../stores/postgres/mod.ts";
import { STARTING_STOCK } from "./catalog.ts";
import type { InventoryStore, Reservation } from "./inventory_store.ts";

/** Names of the inventory tables in `schema`. */
export function inventoryTables(schema: string) {
  return {
    stock: `${schema}.inventory_stock`,
    reservations: `${schema}.inventory_reservations`,
  } as const;
}

/**
 * Creates the stock and reservation tables if missing and seeds the stock
 * from the catalog (a product already there keeps its count). Idempotent.
 *
 * The reservations table has deliberately no unique constraint on the order:
 * exactly-once here comes from writing the row in the consumer's transaction,
 * with its checkpoint, and the end-to-end test counts rows per order to prove
 * it. A production table would add `UNIQUE (order_id)` as a second line of defence.
 */
export async function migrateInventory(sql: postgres.Sql, schema: string): Promise<void> {
  const t = inventoryTables(schema);
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`ordo-ecommerce-inventory:${schema}`}))`;
    await tx.unsafe(`
      CREATE TABLE IF NOT EXISTS ${t.stock} (
        sku text PRIMARY KEY,
        available integer NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${t.reservations} (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id text NOT NULL,
        items jsonb NOT NULL,
        -- The orders/placed event this reserves for, and the inventory/reserved event it published.
        placed_event_id uuid NOT NULL,
        reserved_event_id uuid NOT NULL,
        reserved_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
    `);
    for (const [sku, available] of Object.entries(STARTING_STOCK)) {
      await tx.unsafe(
        `INSERT INTO ${t.stock} (sku, available) VALUES ($1, $2) ON CONFLICT (sku) DO NOTHING`,
        [sku, available],
      );
    }
  });
}

/**
 * Reservations in the tables of `schema`, written through the consumer's
 * transaction, so a reservation and the checkpoint past its order commit
 * together: a reservation row and the stock taken off.
 */
export function sqlInventory(schema: string): InventoryStore {
  const t = inventoryTables(schema);
  return {
    async reserve(reservation: Reservation, transaction: unknown) {
      const tx = transaction as PostgresJsTransaction;
      const { orderId, items, placedEventId, reservedEventId } = reservation;
      await tx.unsafe(
        `INSERT INTO ${t.reservations} (order_id, items, placed_event_id, reserved_event_id) VALUES ($1, $2::text::jsonb, $3, $4)`,
        [orderId, JSON.stringify(items), placedEventId, reservedEventId],
      );
      for (const [sku, count] of Object.entries(items)) {
        await tx.unsafe(`UPDATE ${t.stock} SET available = available - $2 WHERE sku = $1`, [
          sku,
          count,
        ]);
      }
    },
  };
}
