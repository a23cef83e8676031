import type { Decider } from "../mod.ts";

export type CartEvent =
  | { type: "ItemAdded"; data: { sku: string } }
  | { type: "CheckedOut"; data: { items: number } };
export type CartCommand = { type: "add"; sku: string } | { type: "checkout" };
export type Cart = { readonly items: readonly string[]; readonly open: boolean };

// The rules of a cart: pure functions, no store in sight.
export const cart: Decider<CartCommand, Cart, CartEvent> = {
  initialState: () => ({ items: [], open: true }),
  evolve: (state, event) =>
    event.type === "ItemAdded"
      ? { ...state, items: [...state.items, event.data.sku] }
      : { ...state, open: false },
  decide: (command, state) => {
    if (!state.open) throw new Error("The cart is checked out");
    return command.type === "add"
      ? [{ type: "ItemAdded", data: { sku: command.sku } }]
      : [{ type: "CheckedOut", data: { items: state.items.length } }];
  },
};
