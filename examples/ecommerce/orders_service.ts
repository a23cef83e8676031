// The orders service's behaviour, apart from how its process starts and
// serves HTTP: it places orders (`orders/place`), shows them (`orders/show`),
// and follows `inventory/reserved` to record in each order's stream that its
// stock is reserved.
import { type Bus, ConcurrencyError, type EventStore, type Registration } from "../../mod.ts";
import { traceNote } from "./_telemetry.ts";
import type { Trace } from "./_trace.ts";
import type { ordersContracts, PlaceOrderResult } from "./contracts.ts";
import { nameBasedId } from "./name_based_id.ts";
import { foldOrder, ORDER_PLACED, ORDER_RESERVED, orderStream } from "./order_view.ts";
import { USER_LOCKED, userStream } from "./users_service.ts";

/** The consumer group with which the orders service follows `inventory/reserved`. */
export const ORDERS_RESERVATIONS_GROUP = "orders:reservations";

/**
 * Registers the orders service's handlers on `bus` (a store-backed bus: its
 * commands and events travel through `store`).
 *
 * Every message written in reaction to another gets an id derived from that
 * one's, so a handler that runs again after a crash writes nothing new: the
 * store's idempotent append recognises the ids.
 */
export function startOrdersService(
  bus: Bus<typeof ordersContracts>,
  store: EventStore,
  trace: Trace,
): Registration[] {
  // Each handler passes its context's `trace` on to what it writes and
  // sends, so one trace follows an order from the HTTP request through the
  // other services (docs/guide/observability.md).
  const place = bus.handleCommand(
    "orders/place",
    async (command, ctx): Promise<PlaceOrderResult> => {
      const { orderId, userId, items } = command.data;
      if (await isLocked(store, userId)) {
        trace(`refused order ${orderId}: user ${userId} is locked${traceNote(ctx.trace)}`);
        return { orderId, status: "refused", reason: `user ${userId} is locked` };
      }
      const metadata = {
        causationId: command.id,
        correlationId: command.metadata.correlationId ?? command.id,
      };
      try {
        await store.append(orderStream(orderId), [{
          id: await nameBasedId(command.id, ORDER_PLACED),
          type: ORDER_PLACED,
          data: { orderId, userId, items },
          metadata,
        }], { expectedVersion: "no-stream", trace: ctx.trace });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        trace(`refused order ${orderId}: the order exists`);
        return { orderId, status: "refused", reason: `order ${orderId} exists` };
      }
      const published = await bus.publish({
        type: "orders/placed",
        id: await nameBasedId(command.id, "orders/placed"),
        stream: orderStream(orderId),
        data: { orderId, userId, items },
        metadata,
      }, { trace: ctx.trace });
      trace(
        `placed order ${orderId} for ${userId} ${
          JSON.stringify(items)
        }, published orders/placed at #${published.globalPosition}${traceNote(ctx.trace)}`,
      );
      return { orderId, status: "placed" };
    },
  );

  const show = bus.handleQuery(
    "orders/show",
    async ({ orderId }) => foldOrder(orderId, await store.readStream(orderStream(orderId))),
  );

  const reservations = bus.subscribe(
    ORDERS_RESERVATIONS_GROUP,
    ["inventory/reserved"],
    async (event, ctx) => {
      const { orderId } = event.data;
      const result = await store.append(orderStream(orderId), [{
        id: await nameBasedId(event.id, ORDER_RESERVED),
        type: ORDER_RESERVED,
        data: { reservation: event.id },
        metadata: {
          causationId: event.id,
          correlationId: event.metadata.correlationId ?? event.id,
        },
      }], { trace: ctx.trace });
      trace(
        `order ${orderId} is reserved (inventory/reserved at #${event.globalPosition})${
          result.deduplicated ? ", already recorded" : ""
        }${traceNote(ctx.trace)}`,
      );
    },
  );

  return [place, show, reservations];
}

async function isLocked(store: EventStore, userId: string): Promise<boolean> {
  const history = await store.readStream(userStream(userId));
  return history.some((message) => message.type === USER_LOCKED);
}
