import { ConcurrencyError, createMemoryStore } from "../mod.ts";

// The messages, given once: appends are checked against them, and reads narrow by `type`.
type OrderEvent =
  | { type: "OrderPlaced"; data: { total: number } }
  | { type: "OrderShipped" | "OrderCancelled"; data: Record<string, never> };

const store = createMemoryStore<OrderEvent>();
await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }], {
  expectedVersion: "no-stream",
});
await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);
await store.append("order-1", [{ type: "OrderShipped", data: {} }], { expectedVersion: 0 });

// A projection: fold a category, in global order, into a read model. The read
// yields every message, fetching a page of 1,000 at a time.
let revenue = 0;
for await (const message of store.readCategory("order")) {
  if (message.type === "OrderPlaced") revenue += message.data.total;
}
console.log(`revenue: ${revenue}`); // revenue: 42

const stale = await store.append("order-1", [{ type: "OrderCancelled", data: {} }], {
  expectedVersion: 0,
}).catch((e) => e);
console.log(stale instanceof ConcurrencyError); // true
console.log(stale.message); // Cannot append to stream "order-1": expected version 0, current version is 1
