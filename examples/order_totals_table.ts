// The order-totals projection with its read model in a SQL table, written
// through the consumer's transaction (`context.tx`), so each message takes
// effect exactly once with its checkpoint. It is also safe when a message
// comes again (a replay, a rebuild): each row remembers the last version it
// applied. Written against PGlite's transaction (`tx.query`);
// tests/consumers/check_projection.test.ts checks it with ordo/testing.
import type { PGliteInterface } from "@electric-sql/pglite";
import type { RecordedMessageOf } from "../mod.ts";
import type { PGliteTransaction } from "../stores/postgres/mod.ts";
import type { OrderEvent } from "./order_events.ts";

/** The projection: the `order_totals` table, its handler, and how to read it back. */
export const orderTotalsTable = {
  async reset(db: PGliteInterface): Promise<void> {
    await db.exec(`CREATE TABLE IF NOT EXISTS order_totals (
      order_id text PRIMARY KEY, total numeric NOT NULL, open boolean NOT NULL, version int NOT NULL);
      TRUNCATE order_totals`);
  },
  async apply(tx: PGliteTransaction, message: RecordedMessageOf<OrderEvent>): Promise<void> {
    const order = message.streamName.slice(message.streamName.indexOf("-") + 1);
    const { rows } = await tx.query<{ version: number }>(
      "SELECT version FROM order_totals WHERE order_id = $1",
      [order],
    );
    if (rows.length > 0 && rows[0].version >= message.streamVersion) return; // seen already
    const [added, open] = message.type === "OrderPlaced"
      ? [message.data.total, true]
      : message.type === "ItemAdded"
      ? [message.data.price, true]
      : [0, false];
    await tx.query(
      `INSERT INTO order_totals (order_id, total, open, version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO UPDATE SET total = CASE WHEN $5 THEN $2 ELSE order_totals.total + $2 END,
         open = $3, version = $4`,
      [order, added, open, message.streamVersion, message.type === "OrderPlaced"],
    );
  },
  async view(db: PGliteInterface): Promise<unknown> {
    const { rows } = await db.query(
      "SELECT order_id, total::float8 AS total FROM order_totals WHERE open ORDER BY order_id",
    );
    return rows;
  },
};
