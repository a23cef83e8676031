// One writer appending one message at a time (a web request that records one
// event), on a real PostgreSQL 18: ordo's `append` against raw postgres.js
// autocommit inserts of the same rows (prepared `INSERT … VALUES`, one
// statement, one commit each) into a table of the same shape. The two take
// turns call by call, the order reversed every step, so a checkpoint or a
// disk stall falls on both alike; each side's rate is over all its calls, and
// its p50 and p99 latency are printed beside raw's.
// Part of `npm run bench -- postgres`.
import postgres from "./_postgres_driver.ts";
import { createPostgresStore } from "../stores/postgres/mod.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import { type BenchRow, percentile } from "./_measure.ts";
import { message, PREPARED, RAW_INSERT_ONE, RAW_TABLE } from "./_raw_postgres.ts";

const CALLS = 2_000;
const WARM_UP = 200;

/** The single-append rows of `npm run bench -- postgres`. */
export async function benchPostgresSingleAppend(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: 4 });
  try {
    const store = createPostgresStore(sql, { schema: "single" });
    await store.migrate();
    await sql.unsafe(RAW_TABLE);
    const metadata = JSON.stringify({ timestamp: new Date().toISOString() });
    // Each side writes to streams of its own, a new one every 100 messages (a
    // stream per order, say), so neither reads a long stream's version.
    const sides = [
      (i: number) => {
        const m = message(i);
        return sql.unsafe(RAW_INSERT_ONE, [
          m.id,
          `raw-${i / 100 | 0}`,
          i % 100,
          m.type,
          JSON.stringify(m.data),
          metadata,
        ], PREPARED);
      },
      (i: number) => store.append(`single-${i / 100 | 0}`, [message(i)]),
    ];
    for (let i = 0; i < WARM_UP; i++) {
      for (const side of sides) await side(CALLS + i);
    }
    const latencies = sides.map(() => new Array<number>(CALLS));
    for (let i = 0; i < CALLS; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const s of order) {
        const start = performance.now();
        await sides[s](i);
        latencies[s][i] = (performance.now() - start) * 1000;
      }
    }
    await store.close();
    const [raw, ordo] = latencies.map((l) => [...l].sort((a, b) => a - b));
    const rate = (l: readonly number[]) => l.length / (l.reduce((a, b) => a + b, 0) / 1e6);
    return [
      {
        scenario: "postgres: 1 writer, 1 message/call",
        ordo: rate(ordo),
        baseline: rate(raw),
        baselineName: "raw autocommit",
        unit: "msg/s",
        target: 0.9,
      },
      {
        scenario: "postgres: 1 writer, 1 message/call, p50",
        ordo: percentile(ordo, 0.5),
        baseline: percentile(raw, 0.5),
        baselineName: "raw p50",
        unit: "µs",
      },
      {
        scenario: "postgres: 1 writer, 1 message/call, p99",
        ordo: percentile(ordo, 0.99),
        baseline: percentile(raw, 0.99),
        baselineName: "raw p99",
        unit: "µs",
      },
    ];
  } finally {
    await sql.end();
    await server.stop();
  }
}
