// What `orders/show` answers, folded from the order's own stream: the orders
// service keeps no table, the stream is its state.
import type { RecordedMessage } from "../../mod.ts";
import type { Items } from "./contracts.ts";

/** The type of the event that records an order in its stream. */
export const ORDER_PLACED = "OrderPlaced";
/** The type of the event that records, in the order's stream, that inventory reserved its stock. */
export const ORDER_RESERVED = "OrderReserved";

/** The stream holding an order's history. */
export const orderStream = (orderId: string): string => `order-${orderId}`;

/** An order as `orders/show` shows it. */
export interface OrderView {
  readonly orderId: string;
  readonly userId: string;
  readonly items: Items;
  readonly status: "placed" | "reserved";
  /** Whether inventory has reserved the order's stock. */
  readonly reserved: boolean;
  /** The order's events, `version:type`, for the trace. */
  readonly history: readonly string[];
}

/** Folds an order's stream; `null` when the stream holds no `OrderPlaced` (no such order). */
export function foldOrder(orderId: string, stream: readonly RecordedMessage[]): OrderView | null {
  const placed = stream.find((message) => message.type === ORDER_PLACED);
  if (placed === undefined) return null;
  const { userId, items } = placed.data as { userId: string; items: Items };
  const reserved = stream.some((message) => message.type === ORDER_RESERVED);
  return {
    orderId,
    userId,
    items,
    status: reserved ? "reserved" : "placed",
    reserved,
    history: stream.map((message) => `${message.streamVersion}:${message.type}`),
  };
}
