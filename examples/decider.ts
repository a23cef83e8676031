import { createCommandHandler, createMemoryStore } from "../mod.ts";
import { cart, type CartEvent } from "./cart.ts";

// Reads the stream, folds it, decides, appends with the version it read; on a conflict, again.
const handle = createCommandHandler(createMemoryStore<CartEvent>(), cart);
await handle("cart-1", { type: "add", sku: "apple" });
const { state, appended } = await handle("cart-1", { type: "checkout" });
console.log(state.items.join(","), state.open, appended?.streamVersion); // apple false 1
const refused = await handle("cart-1", { type: "add", sku: "pear" }).catch((e) => e.message);
console.log(refused); // The cart is checked out
