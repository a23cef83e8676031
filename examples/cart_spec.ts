import { test } from "node:test";
import { deciderSpec } from "../testing/mod.ts";
import { cart } from "./cart.ts";

const spec = deciderSpec(cart);

test("checking out counts the items", () => {
  spec.given([{ type: "ItemAdded", data: { sku: "apple" } }])
    .when({ type: "checkout" })
    .then([{ type: "CheckedOut", data: { items: 1 } }]);
});

test("a checked-out cart refuses more items", () => {
  spec.given([{ type: "CheckedOut", data: { items: 0 } }])
    .when({ type: "add", sku: "pear" })
    .thenThrows(/checked out/);
});
