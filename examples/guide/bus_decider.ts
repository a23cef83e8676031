import {
  createBus,
  createCommandHandler,
  createInProcessTransport,
  createMemoryStore,
  type MessageTypes,
} from "../../mod.ts";
import { cart, type CartEvent } from "../cart.ts";

type Carts = MessageTypes<{
  commands:
    | { type: "carts/add"; data: { cartId: string; sku: string } }
    | { type: "carts/checkout"; data: { cartId: string } };
}>;

// The carts service: each command is decided against its cart's stream.
const store = createMemoryStore<CartEvent>();
const handle = createCommandHandler(store, cart);
const bus = createBus<Carts>({ transport: createInProcessTransport() });
bus.handleCommand("carts/add", async ({ data }) => {
  const { state } = await handle(`cart-${data.cartId}`, { type: "add", sku: data.sku });
  return { items: state.items.length };
});
bus.handleCommand("carts/checkout", async ({ data }) => {
  const { messages } = await handle(`cart-${data.cartId}`, { type: "checkout" });
  return messages.map((m) => m.type);
});

await bus.sendAndWait({ type: "carts/add", data: { cartId: "7", sku: "apple" } });
const added = await bus.sendAndWait({ type: "carts/add", data: { cartId: "7", sku: "pear" } });
console.log(JSON.stringify(added)); // {"items":2}
console.log(JSON.stringify(
  await bus.sendAndWait({ type: "carts/checkout", data: { cartId: "7" } }),
)); // ["CheckedOut"]

// The decider's refusal reaches the sender as the handler's error.
const late = bus.sendAndWait({ type: "carts/add", data: { cartId: "7", sku: "fig" } });
console.log(await late.catch((error: Error) => error.message)); // The cart is checked out
