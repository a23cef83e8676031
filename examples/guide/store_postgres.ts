import process from "node:process";
import postgres from "postgres";
import { createPostgresStore } from "../../stores/postgres/mod.ts";

type OrderEvent = { type: "OrderPlaced"; data: { total: number } };

// A pool of connections to your server; the store takes it, and imports only its types.
const sql = postgres(process.env.DATABASE_URL ?? "postgres://localhost:5432/shop");
const store = createPostgresStore<OrderEvent>(sql, { schema: "shop" });
await store.migrate(); // versioned and idempotent; several processes may run it at once

const appended = await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
console.log(`order-1@${appended.streamVersion} at position ${appended.globalPosition}`); // order-1@0 at position 1

// The store first (it stops listening for new messages), then the pool.
await store.close();
await sql.end();
