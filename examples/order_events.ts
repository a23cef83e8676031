// The order messages the examples share, given once as a union: a store
// typed with it (`createMemoryStore<OrderEvent>()`) checks appends against
// it, and `message.type` narrows `message.data` in reads, consumers and
// projections.

/** An order was placed with its total. */
export interface OrderPlaced {
  readonly total: number;
}

/** An item was added to an open order. */
export interface ItemAdded {
  readonly price: number;
}

/** Every message of an order stream. */
export type OrderEvent =
  | { type: "OrderPlaced"; data: OrderPlaced }
  | { type: "ItemAdded"; data: ItemAdded }
  | { type: "OrderShipped"; data: Record<string, never> }
  | { type: "OrderCancelled"; data: Record<string, never> };
