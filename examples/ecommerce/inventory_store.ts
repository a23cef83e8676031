// Where the inventory service keeps its reservations: PostgreSQL tables
// written in the consumer's transaction (inventory_tables.ts), or a NATS
// key-value bucket with one entry per order (inventory_kv.ts).
import type { Items } from "./contracts.ts";

/** One order's reservation. */
export interface Reservation {
  readonly orderId: string;
  readonly items: Items;
  /** The `orders/placed` event it answers, and the `inventory/reserved` event it publishes. */
  readonly placedEventId: string;
  readonly reservedEventId: string;
}

/** Records reservations; `tx` is the consumer's transaction where there is one. */
export interface InventoryStore {
  reserve(reservation: Reservation, tx: unknown): Promise<void>;
}
