import { PGlite } from "@electric-sql/pglite";
import { createConsumer } from "../../mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../../stores/postgres/mod.ts";
import type { OrderEvent } from "../order_events.ts";
import { orderTotalsTable } from "../order_totals_table.ts";

const pg = await PGlite.create();
const store = createPGliteStore<OrderEvent>(pg);
await store.migrate();
await orderTotalsTable.reset(pg); // CREATE TABLE order_totals …
await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
await store.append("order-1", [{ type: "ItemAdded", data: { price: 5 } }]);
await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);

// The checkpoints live beside the events; `tx` is PGlite's own transaction, so the
// table's rows and the checkpoint commit together: each message takes effect once.
const totals = createConsumer(store, {
  group: "order-totals",
  source: { category: "order" },
  storage: createPGliteConsumerStorage(pg),
  handler: (message, { tx }) => orderTotalsTable.apply(tx, message),
});
await totals.caughtUp;
console.log(JSON.stringify(await orderTotalsTable.view(pg)));

// A consumer follows until stopped, and PGlite holds the process until closed.
await totals.stop();
await store.close();
await pg.close();
