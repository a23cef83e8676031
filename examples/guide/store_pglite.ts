import { PGlite } from "@electric-sql/pglite";
import { createPGliteStore } from "../../stores/postgres/mod.ts";

type OrderEvent = { type: "OrderPlaced"; data: { total: number } };

// PostgreSQL embedded in this process: new PGlite() keeps it in memory,
// new PGlite("./data") in a folder that outlives the process.
const pg = await PGlite.create();
const store = createPGliteStore<OrderEvent>(pg, { schema: "shop" });
await store.migrate(); // creates or updates the store's tables; idempotent

await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }], {
  expectedVersion: "no-stream",
});
const [placed] = await store.readStream("order-1");
console.log(`${placed.type} ${placed.data.total} at ${placed.metadata.timestamp.slice(0, 4)}`);

// Close what you opened: PGlite keeps a process alive for seconds after a write otherwise.
await store.close();
await pg.close();
console.log("closed"); // closed
