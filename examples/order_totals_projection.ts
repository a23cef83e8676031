// A projection as users write one: open orders and their totals, folded from
// the "order" category. It is safe under at-least-once delivery because it
// remembers the last version it applied per stream and skips anything older,
// and it never looks across streams, so partitions may run in any order.
// tests/consumers/check_projection.test.ts checks it with ordo/testing.
import type { RecordedMessageOf } from "../mod.ts";
import type { OrderEvent } from "./order_events.ts";

/** The read model: totals of open orders, and how far each stream was applied. */
export interface OrderTotals {
  readonly open: Map<string, number>;
  readonly applied: Map<string, number>;
}

/** The projection: `init` makes an empty read model, `apply` folds one message into it. */
export const orderTotals = {
  init: (): OrderTotals => ({ open: new Map(), applied: new Map() }),
  apply(model: OrderTotals, message: RecordedMessageOf<OrderEvent>): void {
    // Seen already (a redelivery): the version tells, without a record per message.
    if ((model.applied.get(message.streamName) ?? -1) >= message.streamVersion) return;
    model.applied.set(message.streamName, message.streamVersion);
    const order = message.streamName.slice(message.streamName.indexOf("-") + 1);
    switch (message.type) {
      case "OrderPlaced":
        model.open.set(order, message.data.total);
        break;
      case "ItemAdded":
        model.open.set(order, (model.open.get(order) ?? 0) + message.data.price);
        break;
      case "OrderShipped":
      case "OrderCancelled":
        model.open.delete(order);
    }
  },
  view: (model: OrderTotals) => model.open,
};
