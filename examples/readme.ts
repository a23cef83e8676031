import { ConcurrencyError, createMemoryStore } from "../mod.ts";

const store = createMemoryStore();
await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }], {
  expectedVersion: "no-stream",
});
await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);
await store.append("order-1", [{ type: "OrderShipped", data: {} }], { expectedVersion: 0 });

// A projection: fold a category, in global order, into a read model.
let revenue = 0;
for (const message of await store.readCategory("order", { types: ["OrderPlaced"] })) {
  revenue += (message.data as { total: number }).total;
}
console.log(`revenue: ${revenue}`); // revenue: 42

const stale = await store.append("order-1", [{ type: "OrderCancelled", data: {} }], {
  expectedVersion: 0,
}).catch((e) => e);
console.log(stale instanceof ConcurrencyError); // true
console.log(stale.message); // Cannot append to stream "order-1": expected version 0, current version is 1
