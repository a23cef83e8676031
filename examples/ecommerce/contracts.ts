// The messages the three services exchange, as Standard Schema contracts: a
// bus checks them at the sender and again at the handler. Each service's bus
// lists only what it sends, handles or follows (a section given is a closed list).
import { defineContracts } from "../../mod.ts";
import { id, objectSchema, quantities, text } from "./_schema.ts";
import { isKnownSku } from "./catalog.ts";

/** Quantities per product, `{ apple: 2 }`. */
export type Items = Readonly<Record<string, number>>;

/** `orders/place`: place an order for a user. */
export interface PlaceOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly items: Items;
}

/** What `orders/place` answers: a refusal is an answer, not a failure (it is not retried). */
export type PlaceOrderResult =
  | { readonly orderId: string; readonly status: "placed" }
  | { readonly orderId: string; readonly status: "refused"; readonly reason: string };

/** `orders/show`: the current state of one order. */
export interface ShowOrder {
  readonly orderId: string;
}

/** `orders/placed`: published to the order's stream once it is placed. */
export interface OrderPlaced {
  readonly orderId: string;
  readonly userId: string;
  readonly items: Items;
}

/** `inventory/reserved`: stock was set aside for an order. */
export interface StockReserved {
  readonly orderId: string;
  readonly items: Items;
}

/** `users/lock`: stop a user from placing orders. */
export interface LockUser {
  readonly userId: string;
  readonly reason: string;
}

/** `users/notify`: tell a user about their order (the inventory sends it once the stock is reserved). */
export interface NotifyUser {
  readonly userId: string;
  readonly orderId: string;
  readonly text: string;
}

/** What `users/lock` answers. */
export interface LockUserResult {
  readonly userId: string;
  readonly locked: boolean;
}

const orderItems = quantities(isKnownSku);

export const placeOrder = objectSchema<PlaceOrder>({ orderId: id, userId: id, items: orderItems });
export const showOrder = objectSchema<ShowOrder>({ orderId: id });
export const orderPlaced = objectSchema<OrderPlaced>({
  orderId: id,
  userId: id,
  items: orderItems,
});
export const stockReserved = objectSchema<StockReserved>({ orderId: id, items: orderItems });
export const lockUser = objectSchema<LockUser>({ userId: id, reason: text });
export const notifyUser = objectSchema<NotifyUser>({ userId: id, orderId: id, text });

/** The orders service: handles `orders/place` and `orders/show`, publishes `orders/placed`, follows `inventory/reserved`. */
export const ordersContracts = defineContracts({
  commands: { "orders/place": placeOrder },
  queries: { "orders/show": showOrder },
  events: { "orders/placed": orderPlaced, "inventory/reserved": stockReserved },
});

/** The inventory service: follows `orders/placed`, publishes `inventory/reserved`, sends `users/notify`. */
export const inventoryContracts = defineContracts({
  commands: { "users/notify": notifyUser },
  events: { "orders/placed": orderPlaced, "inventory/reserved": stockReserved },
});

/** The users service: handles `users/lock` and `users/notify`. */
export const usersContracts = defineContracts({
  commands: { "users/lock": lockUser, "users/notify": notifyUser },
});

/** A client of the shop (the end-to-end test, a script): places orders, shows them, locks users. */
export const shopClientContracts = defineContracts({
  commands: { "orders/place": placeOrder, "users/lock": lockUser },
  queries: { "orders/show": showOrder },
});
