import { createConsumer, createMemoryConsumerStorage, createMemoryStore } from "../../mod.ts";

type OrderEvent =
  | { type: "OrderPlaced"; data: { total: number } }
  | { type: "OrderShipped"; data: Record<string, never> };

const store = createMemoryStore<OrderEvent>();
await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);

// The read model: open orders and their totals.
const open = new Map<string, number>();
let caughtUp = () => {};
const consumer = createConsumer(store, {
  group: "open-orders", // the checkpoint's name: a restart goes on from where this group stopped
  source: { category: "order" },
  storage: createMemoryConsumerStorage(),
  handler: (message, { tx }) =>
    // Applied when the checkpoint moves past the message, never twice for one checkpoint.
    tx.onCommit(() => {
      if (message.type === "OrderPlaced") open.set(message.streamName, message.data.total);
      else open.delete(message.streamName);
    }),
  onCaughtUp: () => caughtUp(), // each time it has applied everything stored
});
await consumer.caughtUp; // everything stored so far is applied
console.log([...open.keys()].join(" ")); // order-1 order-2

// It keeps following: a new message reaches the handler as soon as it is stored.
const applied = new Promise<void>((resolve) => (caughtUp = resolve));
await store.append("order-1", [{ type: "OrderShipped", data: {} }]);
await applied;
console.log([...open.keys()].join(" ")); // order-2

// A consumer follows until stopped; stopping stores its checkpoint.
await consumer.stop();
