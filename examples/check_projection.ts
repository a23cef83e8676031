import fc from "fast-check";
import { checkProjection, type HistoryEventOf } from "../testing/mod.ts";
import type { OrderEvent } from "./order_events.ts";
import { orderTotals } from "./order_totals_projection.ts";

// Histories of up to 25 events over three orders, in any mix of types.
const order = fc.constantFrom("order-1", "order-2", "order-3");
const events: fc.Arbitrary<HistoryEventOf<OrderEvent>[]> = fc.array(
  fc.oneof(
    fc.record({
      streamName: order,
      type: fc.constant<"OrderPlaced">("OrderPlaced"),
      data: fc.record({ total: fc.nat(100) }),
    }),
    fc.record({
      streamName: order,
      type: fc.constant<"ItemAdded">("ItemAdded"),
      data: fc.record({ price: fc.nat(20) }),
    }),
    fc.record({
      streamName: order,
      type: fc.constantFrom<"OrderShipped" | "OrderCancelled">("OrderShipped", "OrderCancelled"),
      data: fc.constant({}),
    }),
  ),
  { maxLength: 25 },
);

await checkProjection(fc, { projection: orderTotals, events });
console.log("orderTotals gives one clean pass's read model under every check");
