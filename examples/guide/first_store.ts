import { ConcurrencyError, createMemoryStore } from "../../mod.ts";

// The messages of an order, given once: appends are checked against them, reads narrow by `type`.
type OrderEvent =
  | { type: "OrderPlaced"; data: { customer: string; total: number } }
  | { type: "OrderShipped"; data: { carrier: string } };

const store = createMemoryStore<OrderEvent>();

// "no-stream": create order-1, or fail if it exists already.
const placed = await store.append("order-1", [
  { type: "OrderPlaced", data: { customer: "ada", total: 30 } },
], { expectedVersion: "no-stream" });
console.log(`version ${placed.streamVersion}, position ${placed.globalPosition}`); // version 0, position 1

// Ship it, if nobody wrote to order-1 since we saw its version 0.
await store.append("order-1", [{ type: "OrderShipped", data: { carrier: "post" } }], {
  expectedVersion: 0,
});
const late = await store.append("order-1", [{ type: "OrderShipped", data: { carrier: "dhl" } }], {
  expectedVersion: 0,
}).catch((error) => error);
console.log(late instanceof ConcurrencyError); // true

for (const message of await store.readStream("order-1")) {
  if (message.type === "OrderPlaced") console.log(`placed for ${message.data.customer}`);
  if (message.type === "OrderShipped") console.log(`shipped by ${message.data.carrier}`);
}
