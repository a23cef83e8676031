// A projection as `ordo rebuild` loads it: order totals in a table of the
// test's schema, written through the handler's transaction (postgres.js).
import type { TransactionSql } from "postgres";
import type { RebuildableProjection } from "../../cli/mod.ts";

/** Rebuilt by the command line in tests/cli/cli_consumers.test.ts. */
export const projection: RebuildableProjection<TransactionSql> = {
  group: "rebuilt-totals",
  source: { category: "order", types: ["OrderPlaced"] },
  commit: "page",
  reset: async (database) => {
    await database.query("DELETE FROM cli_ops.totals_read");
  },
  handler: async (message, { tx }) => {
    await tx.unsafe(
      "INSERT INTO cli_ops.totals_read (stream, total) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET total = EXCLUDED.total",
      [message.streamName, (message.data as { total: number }).total],
    );
  },
};
