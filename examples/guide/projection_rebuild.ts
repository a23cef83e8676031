import { createMemoryConsumerStorage, createMemoryStore, rebuildProjection } from "../../mod.ts";

type OrderEvent = { type: "OrderPlaced"; data: { total: number } };
const store = createMemoryStore<OrderEvent>();
for (let i = 1; i <= 3000; i++) {
  await store.append(`order-${i}`, [{ type: "OrderPlaced", data: { total: 1 } }]);
}

// A new version of the read model: forget the group's checkpoint, clear the
// model, replay everything up to the head as it is now, a page per commit.
const totals = new Map<string, number>();
const done = await rebuildProjection(store, {
  group: "order-totals",
  source: { category: "order" },
  storage: createMemoryConsumerStorage(),
  batchSize: 500,
  reset: () => totals.clear(),
  handler: (message, { tx }) =>
    tx.onCommit(() => totals.set(message.streamName, message.data.total)),
  onProgress: (p) => {
    if (p.processed % 1000 === 0) console.log(`${Math.round(p.fraction * 100)}%`);
  },
});
console.log(`${done.processed} messages, ${totals.size} orders`); // 3000 messages, 3000 orders
