// The order-totals table written by a page handler (`pageHandler`): a page of
// messages costs two statements, whatever its size, instead of one or two per
// message. The page is folded per order in memory, from the rows as they
// are, then written back in one upsert of arrays (`unnest`). Like the
// per-message version (order_totals_table.ts), each row remembers the last
// version it applied, so a message that comes again changes nothing.
// tests/consumers/check_projection.test.ts checks it with pages cut at random.
import type { RecordedMessageOf } from "../mod.ts";
import type { PGliteTransaction } from "../stores/postgres/mod.ts";
import type { OrderEvent } from "./order_events.ts";
import { orderTotalsTable } from "./order_totals_table.ts";

/** One row of `order_totals`. */
interface OrderRow {
  total: number;
  open: boolean;
  version: number;
}

/** The projection: the same table and view as `orderTotalsTable`, written a page at a time. */
export const orderTotalsPageTable = {
  reset: orderTotalsTable.reset,
  view: orderTotalsTable.view,
  async applyPage(
    tx: PGliteTransaction,
    messages: readonly RecordedMessageOf<OrderEvent>[],
  ): Promise<void> {
    const orderOf = (m: RecordedMessageOf<OrderEvent>) =>
      m.streamName.slice(m.streamName.indexOf("-") + 1);
    const orders = [...new Set(messages.map(orderOf))];
    // Statement 1: the rows the page touches, as they are.
    const { rows } = await tx.query<OrderRow & { order_id: string }>(
      "SELECT order_id, total::float8 AS total, open, version FROM order_totals WHERE order_id = ANY($1)",
      [orders],
    );
    const state = new Map<string, OrderRow>(rows.map(({ order_id, ...row }) => [order_id, row]));
    for (const m of messages) {
      const order = orderOf(m);
      const row = state.get(order);
      if (row !== undefined && row.version >= m.streamVersion) continue; // seen already
      const total = row?.total ?? 0;
      state.set(order, {
        total: m.type === "OrderPlaced"
          ? m.data.total
          : m.type === "ItemAdded"
          ? total + m.data.price
          : total,
        open: m.type === "OrderPlaced" || m.type === "ItemAdded",
        version: m.streamVersion,
      });
    }
    // Statement 2: every touched row written back at once.
    await tx.query(
      `INSERT INTO order_totals (order_id, total, open, version)
       SELECT * FROM unnest($1::text[], $2::numeric[], $3::boolean[], $4::int[])
       ON CONFLICT (order_id) DO UPDATE
         SET total = EXCLUDED.total, open = EXCLUDED.open, version = EXCLUDED.version`,
      [
        orders,
        orders.map((o) => state.get(o)!.total),
        orders.map((o) => state.get(o)!.open),
        orders.map((o) => state.get(o)!.version),
      ],
    );
  },
};
