// Catch-up reads as the table grows: the same messages read back in pages of
// 1,000 by ordo's `readAll` and by a raw keyset read of the same columns
// (parsing what the store parses), at 100k messages and again after the table
// has grown to 1M (and 10M with ORDO_BENCH_READ_SIZES=100000,1000000,10000000,
// where the disk allows: about 2.5 GB). Each size alternates the two reads and
// keeps each one's best, so a ratio compares reads of the same table in the
// same state. Before the rates, the plan of each side's page near the table's
// end is printed (EXPLAIN ANALYZE, BUFFERS), to show where the time goes.
import process from "node:process";
import type { Sql } from "postgres";
import postgres from "./_postgres_driver.ts";
import { createPostgresStore } from "../stores/postgres/mod.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import type { BenchRow } from "./_measure.ts";

const PAGE = 1000;
const ROUNDS = 2;
const COLUMNS =
  'id::text AS id, type, data::text AS data, metadata::text AS metadata, stream_name AS "streamName", stream_version::float8 AS "streamVersion", global_position::text AS "globalPosition"';

function sizes(): number[] {
  const given = process.env.ORDO_BENCH_READ_SIZES;
  if (given === undefined) return [100_000, 1_000_000];
  return given.split(",").map((s) => Number(s.trim()));
}

export async function benchReadsAtScale(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: 2 });
  const rows: BenchRow[] = [];
  try {
    const store = createPostgresStore(sql, { schema: "scale" });
    await store.migrate();
    let filled = 0;
    for (const size of sizes()) {
      // Ten messages per order stream, positions from the table's own default
      // (the writer's bound held), in chunks of 1M rows per statement.
      for (; filled < size; filled += Math.min(1_000_000, size - filled)) {
        const to = filled + Math.min(1_000_000, size - filled) - 1;
        await sql.unsafe(
          `INSERT INTO scale.messages (id, stream_name, stream_version, type, data, metadata)
          SELECT gen_random_uuid(), 'order-' || (g / 10), g % 10, 'OrderPlaced',
            jsonb_build_object('orderId', g, 'total', g % 100, 'sku', 'abc-1'),
            jsonb_build_object('timestamp', now()::text)
          FROM generate_series(${filled}, ${to}) g`,
        );
      }
      await sql.unsafe("VACUUM ANALYZE scale.messages");
      await explainNearEnd(sql, size);
      const raw = async () => {
        let count = 0;
        let from = "0";
        for (;;) {
          const page = await sql.unsafe(
            `SELECT ${COLUMNS} FROM scale.messages WHERE global_position >= $1::bigint ORDER BY global_position LIMIT ${PAGE}`,
            [from],
            { prepare: true },
          );
          for (const row of page) {
            JSON.parse(row.data);
            JSON.parse(row.metadata);
            count++;
          }
          if (page.length < PAGE) return count;
          from = String(BigInt(page[page.length - 1].globalPosition) + 1n);
        }
      };
      const ordo = async () => {
        let count = 0;
        for await (const m of store.readAll({ pageSize: PAGE })) if (m !== undefined) count++;
        return count;
      };
      let bestRaw = 0;
      let bestOrdo = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (
          const [side, read] of round % 2 === 0 ? [["raw", raw], ["ordo", ordo]] as const : [
            ["ordo", ordo],
            ["raw", raw],
          ] as const
        ) {
          const began = performance.now();
          const count = await read();
          const rate = count / ((performance.now() - began) / 1000);
          if (count !== size) throw new Error(`${side} read ${count} of ${size}`);
          if (side === "raw") bestRaw = Math.max(bestRaw, rate);
          else bestOrdo = Math.max(bestOrdo, rate);
        }
      }
      const { size: bytes } = (await sql.unsafe(
        "SELECT pg_size_pretty(pg_total_relation_size('scale.messages')) AS size",
      ))[0];
      // Also as it goes: a 10M run takes long enough that partial figures matter.
      console.error(
        `reads at scale: ${size} messages (table with indexes ${bytes}): ordo ${
          Math.round(bestOrdo)
        } msg/s, raw ${Math.round(bestRaw)} msg/s, ${(bestOrdo / bestRaw).toFixed(2)}×`,
      );
      rows.push({
        scenario: `postgres: catch-up read of ${size.toLocaleString("en-US")} msgs, pages of 1,000`,
        ordo: bestOrdo,
        baseline: bestRaw,
        baselineName: "raw keyset read, same columns",
        unit: "msg/s",
        target: 0.8,
      });
    }
    await store.close();
  } finally {
    await sql.end();
    await server.stop();
  }
  return rows;
}

/** Prints the plans of ordo's page statement and raw's near the table's end, to stderr. */
async function explainNearEnd(sql: Sql, size: number): Promise<void> {
  const from = Math.max(1, size - 5 * PAGE);
  const head = (await sql.unsafe("SELECT scale.readable_head()::text AS h"))[0].h;
  const statements = {
    raw:
      `SELECT ${COLUMNS} FROM scale.messages WHERE global_position >= ${from} ORDER BY global_position LIMIT ${PAGE}`,
    ordo:
      `SELECT ${COLUMNS} FROM scale.messages m WHERE m.global_position BETWEEN ${from} AND ${head} ORDER BY m.global_position LIMIT ${PAGE}`,
  };
  for (const [side, text] of Object.entries(statements)) {
    const plan = await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`);
    console.error(
      `plan, ${side}, ${size} messages:\n  ${plan.map((r) => r["QUERY PLAN"]).join("\n  ")}`,
    );
  }
}
