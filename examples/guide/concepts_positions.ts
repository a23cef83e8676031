import { categoryOf, createMemoryStore, parseStreamName, streamName } from "../../mod.ts";

// A stream is named `category-id`: the category is up to the first dash.
const id = crypto.randomUUID();
const name = streamName("order", id); // `order-${id}`, checked
console.log(categoryOf(name), parseStreamName(name).id === id); // order true

const store = createMemoryStore();
// Versions count per stream, from 0; positions count across the whole store, from 1.
await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
await store.append("user-7", [{ type: "UserRegistered", data: {} }]);
await store.append("order-1", [{ type: "OrderShipped", data: {} }]);
await store.append("order-2", [{ type: "OrderPlaced", data: {} }]);

for await (const m of store.readAll()) {
  console.log(`#${m.globalPosition} ${m.streamName}@${m.streamVersion} ${m.type}`);
}
// A category read: the category's streams, interleaved in global order.
const orders = await store.readCategory("order").toArray();
console.log(orders.map((m) => `#${m.globalPosition}`).join(" ")); // #1 #3 #4
