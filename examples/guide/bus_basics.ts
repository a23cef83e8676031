import { createBus, createInProcessTransport, type MessageTypes } from "../../mod.ts";

// The names and data the bus carries, as types (checked by the compiler only).
type Shop = MessageTypes<{
  commands: { type: "users/lock"; data: { userId: string } };
  queries: { type: "orders/show"; data: { orderId: number } };
  events: { type: "orders/placed"; data: { orderId: number; total: number } };
}>;

const bus = createBus<Shop>({ transport: createInProcessTransport() });

// A command: one handler, in the service that owns the name; its result is the answer.
bus.handleCommand("users/lock", (command) => ({ locked: command.data.userId }));
// A query: one handler, nothing stored.
bus.handleQuery("orders/show", (payload) => ({ orderId: payload.orderId, total: 42 }));
// An event: every subscribed group gets it, each at its own pace.
bus.subscribe("billing", ["orders/placed"], (event) => console.log(`bill ${event.data.total}`));
bus.subscribe("shipping", ["orders/placed"], (event) => console.log(`ship ${event.data.orderId}`));

await bus.send({ type: "users/lock", data: { userId: "u-7" } }); // resolves once accepted
const locked = await bus.sendAndWait({ type: "users/lock", data: { userId: "u-8" } });
console.log(JSON.stringify(locked)); // {"locked":"u-8"}
const order = await bus.query("orders/show", { orderId: 123 }, { timeout: 500 });
console.log(JSON.stringify(order)); // {"orderId":123,"total":42}
await bus.publish({ type: "orders/placed", data: { orderId: 123, total: 42 } });
