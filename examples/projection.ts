// `node --import tsx examples/projection.ts`: the order-totals projection run
// by a consumer that catches up, follows live, and is stopped gracefully.
import { createConsumer, createMemoryConsumerStorage, createMemoryStore } from "../mod.ts";
import type { OrderEvent } from "./order_events.ts";
import { orderTotals } from "./order_totals_projection.ts";

const store = createMemoryStore<OrderEvent>();
await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }, {
  type: "ItemAdded",
  data: { price: 5 },
}]);
await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);

const model = orderTotals.init();
let sawOrder3!: () => void;
const order3 = new Promise<void>((resolve) => (sawOrder3 = resolve));
const consumer = createConsumer(store, {
  group: "order-totals",
  source: { category: "order" },
  storage: createMemoryConsumerStorage(),
  // Applied through the transaction: the read model and the checkpoint change together.
  handler: (message, { tx }) => tx.onCommit(() => orderTotals.apply(model, message)),
  // Called each time the consumer has read everything and starts waiting for more.
  onCaughtUp: () => model.applied.has("order-3") && sawOrder3(),
});
await consumer.caughtUp;
await store.append("order-2", [{ type: "OrderShipped", data: {} }]);
await store.append("order-3", [{ type: "OrderPlaced", data: { total: 7 } }]);
await order3;
await consumer.stop();
for (const [order, total] of model.open) console.log(`order ${order}: ${total}`);
