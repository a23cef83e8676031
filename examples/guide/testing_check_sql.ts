import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { checkProjection, type HistoryEventOf } from "../../testing/mod.ts";
import type { OrderEvent } from "../order_events.ts";
import { orderTotalsTable } from "../order_totals_table.ts";

const order = fc.constantFrom("order-1", "order-2");
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
  ),
  { maxLength: 12 },
);

// The SQL projection, checked on PGlite: each delivery in a transaction, and a
// crashing consumer whose writes roll back with its checkpoint, as in production.
const database = await PGlite.create();
await checkProjection(fc, {
  database,
  projection: orderTotalsTable,
  events,
  parameters: { numRuns: 10 }, // fast-check runs 100 histories by default; SQL is slower
});
await database.close();
console.log("order_totals holds up under duplicates, crashes and interleavings"); // order_totals holds up under duplicates, crashes and interleavings
