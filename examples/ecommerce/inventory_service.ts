// The inventory service's behaviour, apart from how its process starts: it
// follows `orders/placed` in its own consumer group and reserves each order's
// stock exactly once.
import type { Bus, Registration } from "../../mod.ts";
import type { PostgresJsTransaction } from "../../stores/postgres/mod.ts";
import { traceNote } from "./_telemetry.ts";
import type { Trace } from "./_trace.ts";
import type { inventoryContracts } from "./contracts.ts";
import { inventoryTables } from "./inventory_tables.ts";
import { nameBasedId } from "./name_based_id.ts";

/** The consumer group of the inventory service: its checkpoint lives in PostgreSQL beside the events. */
export const INVENTORY_GROUP = "inventory";

/** Options of {@link startInventoryService}. */
export interface InventoryServiceOptions {
  readonly schema: string;
  readonly trace: Trace;
  /**
   * Milliseconds to wait after publishing `inventory/reserved` and before the
   * transaction commits. Only for the end-to-end test: it widens the window in
   * which a crash leaves the event published and the reservation uncommitted,
   * so the test can kill the process there. Default 0.
   */
  readonly holdBeforeCommit?: number;
}

/**
 * Subscribes the inventory to `orders/placed`. For each order, in one
 * transaction with the consumer's checkpoint (`ctx.tx`), it writes a
 * reservation row and takes the items off the stock; before that transaction
 * commits it publishes `inventory/reserved` and sends `users/notify` (the
 * users service tells the user), each with an id derived from the
 * `orders/placed` event's id.
 *
 * After a crash the order comes again: the rolled-back rows are written anew,
 * and the event and the command, if they went out, are recognised by their
 * ids and not stored twice.
 *
 * Reserving is part of placing the order, so the subscription continues the
 * publisher's trace (`continueTrace: true`): one trace runs from the
 * `orders/place` request to the user's notification. An event handler that
 * is not part of the request would leave it out and start a trace of its
 * own, linked to the publisher's.
 */
export function startInventoryService(
  bus: Bus<typeof inventoryContracts>,
  options: InventoryServiceOptions,
): Registration {
  const t = inventoryTables(options.schema);
  const hold = options.holdBeforeCommit ?? 0;
  return bus.subscribe(INVENTORY_GROUP, ["orders/placed"], async (event, ctx) => {
    const tx = ctx.tx as PostgresJsTransaction;
    const { orderId, userId, items } = event.data;
    const reservedId = await nameBasedId(event.id, "inventory/reserved");
    await tx.unsafe(
      `INSERT INTO ${t.reservations} (order_id, items, placed_event_id, reserved_event_id) VALUES ($1, $2::text::jsonb, $3, $4)`,
      [orderId, JSON.stringify(items), event.id, reservedId],
    );
    for (const [sku, count] of Object.entries(items)) {
      await tx.unsafe(`UPDATE ${t.stock} SET available = available - $2 WHERE sku = $1`, [
        sku,
        count,
      ]);
    }
    const metadata = {
      causationId: event.id,
      correlationId: event.metadata.correlationId ?? event.id,
    };
    const published = await bus.publish({
      type: "inventory/reserved",
      id: reservedId,
      key: orderId,
      data: { orderId, items },
      metadata,
    }, { trace: ctx.trace });
    await bus.send({
      type: "users/notify",
      id: await nameBasedId(event.id, "users/notify"),
      key: userId,
      data: { userId, orderId, text: `the stock of order ${orderId} is reserved` },
      metadata,
    }, { trace: ctx.trace });
    options.trace(
      `reserved ${
        JSON.stringify(items)
      } for order ${orderId} (orders/placed at #${event.globalPosition}, attempt ${ctx.attempt}); ` +
        (published.deduplicated
          ? "inventory/reserved was already stored: deduplicated"
          : `published inventory/reserved at #${published.globalPosition}`) +
        traceNote(ctx.trace),
    );
    if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
  }, { continueTrace: true });
}
