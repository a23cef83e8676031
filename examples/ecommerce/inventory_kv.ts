// The inventory on NATS: one entry per order in a JetStream key-value bucket,
// written only if absent. The NATS transport delivers each event at least
// once and without a transaction, so exactly-once comes from the key: a
// redelivered order finds its entry and changes nothing. The stock is not kept
// apart: what is left is the catalog's stock minus the entries' items.
import type { KvBucket } from "../../stores/nats/mod.ts";
import { STARTING_STOCK } from "./catalog.ts";
import type { Items } from "./contracts.ts";
import type { InventoryStore, Reservation } from "./inventory_store.ts";

/** The key of an order's reservation. */
export const reservationKey = (orderId: string): string =>
  `order.${orderId.replace(/[^A-Za-z0-9_-]/g, "_")}`;

/** Reservations in `bucket`, one entry per order. */
export function kvInventory(bucket: KvBucket): InventoryStore {
  return {
    async reserve(reservation: Reservation) {
      // Revision 0: create; an existing entry (a redelivery) is left as it is.
      await bucket.update(reservationKey(reservation.orderId), JSON.stringify(reservation), 0);
    },
  };
}

/** Stock left per product: the catalog's, minus every reservation in `bucket`. */
export async function kvStock(bucket: KvBucket): Promise<Record<string, number>> {
  const left: Record<string, number> = { ...STARTING_STOCK };
  for (const entry of await bucket.list("order")) {
    const { items } = JSON.parse(entry.value) as { items: Items };
    for (const [sku, n] of Object.entries(items)) left[sku] = (left[sku] ?? 0) - n;
  }
  return left;
}
