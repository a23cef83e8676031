// Where a one-message append's time goes, 16 writers on a real PostgreSQL 18:
// raw prepared inserts, a plain INSERT into ordo's table (its position from
// the sequence, without the writer's bound), the store's one-message
// statement alone, the append function alone, and the whole store append
// (statement plus the NOTIFY rounds; appends made while the store is busy
// commit in groups, see postgres-grouped-appends.md). Rounds alternate, in
// changing order; each line is the median of its rounds against the median of
// raw, because these differences are smaller than one run's noise.
// `npm run bench -- postgres-paths`.
import postgres from "./_postgres_driver.ts";
import { createPostgresStore } from "../stores/postgres/mod.ts";
import { statements } from "../stores/postgres/statements.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import type { BenchRow } from "./_measure.ts";
import { message, PREPARED, RAW_INSERT_ONE, RAW_TABLE } from "./_raw_postgres.ts";

const WRITERS = 16;
// Ordo's table with the position taken straight from the sequence: what the
// table itself costs, without the stream lock, the version read or the bound.
const PLAIN_INSERT =
  `INSERT INTO paths.messages (global_position, id, stream_name, stream_version, type, data, metadata)
  VALUES (nextval('paths.positions'), $1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)`;
const PER_WRITER = 100;
const ROUNDS = 9;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

export async function benchPostgresWritePaths(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: WRITERS + 4 });
  try {
    const store = createPostgresStore(sql, { schema: "paths" });
    await store.migrate();
    await sql.unsafe(RAW_TABLE);
    const text = statements("paths");
    const metadata = JSON.stringify({ timestamp: new Date().toISOString() });
    const writers = async (append: (stream: string, n: number) => Promise<unknown>) => {
      const start = performance.now();
      await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < PER_WRITER; i++) {
          await append(`w${w}-${crypto.randomUUID().slice(0, 8)}`, i);
        }
      }));
      return (WRITERS * PER_WRITER) / ((performance.now() - start) / 1000);
    };
    const paths: Record<string, () => Promise<number>> = {
      raw: () =>
        writers((stream, n) => {
          const m = message(n);
          return sql.unsafe(RAW_INSERT_ONE, [
            m.id,
            stream,
            0,
            m.type,
            JSON.stringify(m.data),
            metadata,
          ], PREPARED);
        }),
      plainInsert: () =>
        writers((stream, n) => {
          const m = message(n);
          return sql.unsafe(PLAIN_INSERT, [
            m.id,
            stream,
            0,
            m.type,
            JSON.stringify(m.data),
            metadata,
          ], PREPARED);
        }),
      statement: () =>
        writers((stream, n) => {
          const m = message(n);
          return sql.unsafe(text.appendOne, [
            m.id,
            stream,
            "any",
            null,
            m.type,
            JSON.stringify(m.data),
            metadata,
          ], PREPARED);
        }),
      function: () =>
        writers((stream, n) => {
          const payload = JSON.stringify([{ ...message(n), metadata: JSON.parse(metadata) }]);
          return sql.unsafe(text.append, [stream, "any", payload], PREPARED);
        }),
      store: () => writers((stream, n) => store.append(stream, [message(n)])),
    };
    const names = Object.keys(paths);
    const rates = new Map(names.map((name) => [name, [] as number[]]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        rates.get(name)!.push(await paths[name]());
      }
    }
    await store.close();
    const raw = median(rates.get("raw")!);
    const line = (scenario: string, name: string): BenchRow => ({
      scenario,
      ordo: median(rates.get(name)!),
      baseline: raw,
      baselineName: "raw prepared  ",
      unit: "msg/s",
    });
    return [
      line("paths: plain INSERT into ordo's table", "plainInsert"),
      line("paths: one-message statement, no rounds", "statement"),
      line("paths: append function, no rounds", "function"),
      line("paths: store append (grouped, NOTIFY rounds)", "store"),
    ];
  } finally {
    await sql.end({ timeout: 5 });
    await server.stop();
  }
}
