import { test } from "node:test";
import { projectionSpec } from "../../testing/mod.ts";
import { orderTotals } from "../order_totals_projection.ts";

const spec = projectionSpec(orderTotals);

test("an added item counts towards its order's total", async () => {
  await spec.given([{ streamName: "order-1", type: "OrderPlaced", data: { total: 30 } }])
    .when([{ streamName: "order-1", type: "ItemAdded", data: { price: 5 } }])
    .then(new Map([["1", 35]]));
});

test("a shipped order is no longer open", async () => {
  await spec.given([{ streamName: "order-2", type: "OrderPlaced", data: { total: 12 } }])
    .when([{ streamName: "order-2", type: "OrderShipped", data: {} }])
    .then(new Map());
});
