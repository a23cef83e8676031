import { PGlite } from "@electric-sql/pglite";
import { createBus, type MessageTypes } from "../../mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";

type Shop = MessageTypes<{
  commands: { type: "orders/place"; data: { orderId: string; total: number } };
  events: { type: "orders/placed"; data: { orderId: string; total: number } };
}>;

// Services that share a database talk through its event store: commands,
// replies and events are messages in it, each handler group at its own checkpoint.
const pg = await PGlite.create();
const store = createPGliteStore(pg);
await store.migrate();
const bus = createBus<Shop>({
  transport: createStoreBackedTransport(store, { storage: createPGliteConsumerStorage(pg) }),
});

// The orders service: the event goes to the order's own stream.
bus.handleCommand("orders/place", async (command) => {
  const { orderId } = command.data;
  await bus.publish({ type: "orders/placed", stream: `order-${orderId}`, data: command.data });
  return { placed: orderId };
});
// The billing service, in its consumer group: it starts from its checkpoint, after a restart too.
let revenue = 0;
let billedBoth!: () => void;
const billed = new Promise<void>((resolve) => (billedBoth = resolve));
const billing = bus.subscribe("billing", ["orders/placed"], (event) => {
  revenue += event.data.total;
  if (event.data.orderId === "A2") billedBoth();
});
await billing.ready;

const placed = await bus.sendAndWait({
  type: "orders/place",
  data: { orderId: "A1", total: 30 },
});
console.log(JSON.stringify(placed)); // {"placed":"A1"}
await bus.sendAndWait({ type: "orders/place", data: { orderId: "A2", total: 12 } });

await billed; // events reach subscribers on their own time, after the command's answer
console.log(revenue); // 42
for await (const m of store.readAll()) console.log(`${m.streamName} ${m.type}`);

// The bus follows the store until closed; then the store, then PGlite.
await bus.close();
await store.close();
await pg.close();
