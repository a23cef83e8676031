// Iterating 1,000,000 messages with `for await (const m of store.readAll())`:
// the read holds one page at a time, so the heap stays flat however many
// messages go by. Each side's peak heap above where it started (heapUsed,
// sampled every page, after a forced GC before it when `--expose-gc` is on)
// is printed beside the raw paged read's in the same run: slices of the log
// array for the memory store, a keyset-paged postgres.js read of the same
// table (parsing what the store parses) for PostgreSQL.
import process from "node:process";
import postgres from "./_postgres_driver.ts";
import { createMemoryStore } from "../mod.ts";
import { createPostgresStore } from "../stores/postgres/mod.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import type { BenchRow } from "./_measure.ts";

const COUNT = 1_000_000;
const PAGE = 1000;
const MB = 1024 * 1024;

/** Peak heap above the start, in MB, over the first tenth and over the whole pass, and the rate. */
interface Pass {
  readonly peakTenthMb: number;
  readonly peakMb: number;
  readonly rate: number;
}

/** Runs `read`, which calls `sample` as it goes and resolves with how many messages it saw. */
async function measure(read: (sample: () => void) => Promise<number>): Promise<Pass> {
  const gc = Reflect.get(globalThis, "gc"); // with --expose-gc
  if (typeof gc === "function") gc();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  let peakTenth = start;
  let samples = 0;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > peak) peak = used;
    if (++samples === COUNT / PAGE / 10) peakTenth = peak;
  };
  const began = performance.now();
  const count = await read(sample);
  const seconds = (performance.now() - began) / 1000;
  if (count !== COUNT) throw new Error(`read ${count} messages of ${COUNT}`);
  return {
    peakTenthMb: (peakTenth - start) / MB,
    peakMb: (peak - start) / MB,
    rate: count / seconds,
  };
}

function rows(store: string, ordo: Pass, raw: Pass, rawName: string): BenchRow[] {
  return [
    {
      scenario: `${store}: iterate, peak heap MB over the first 100k`,
      ordo: ordo.peakTenthMb,
      baseline: raw.peakTenthMb,
      baselineName: rawName,
      unit: "MB",
    },
    {
      scenario: `${store}: iterate, peak heap MB over all 1M`,
      ordo: ordo.peakMb,
      baseline: raw.peakMb,
      baselineName: rawName,
      unit: "MB",
    },
    {
      scenario: `${store}: iterate 1M, rate`,
      ordo: ordo.rate,
      baseline: raw.rate,
      baselineName: rawName,
      unit: "msg/s",
    },
  ];
}

async function benchMemory(): Promise<BenchRow[]> {
  const store = createMemoryStore();
  const log: unknown[] = [];
  for (let i = 0; i < COUNT; i += PAGE) {
    const batch = Array.from({ length: PAGE }, (_, k) => ({
      type: "OrderPlaced",
      data: { orderId: i + k, total: 42.5, sku: "abc-1" },
    }));
    await store.append(`order-${i / PAGE}`, batch);
    log.push(...batch);
  }
  const raw = await measure(async (sample) => {
    let count = 0;
    for (let i = 0; i < log.length; i += PAGE) {
      for (const m of await Promise.resolve(log.slice(i, i + PAGE))) if (m !== undefined) count++;
      sample();
    }
    return count;
  });
  const ordo = await measure(async (sample) => {
    let count = 0;
    for await (const m of store.readAll()) {
      if (m !== undefined && ++count % PAGE === 0) sample();
    }
    return count;
  });
  await store.close();
  return rows("memory", ordo, raw, "array slices");
}

async function benchPostgres(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: 2 });
  try {
    const store = createPostgresStore(sql, { schema: "iter" });
    await store.migrate();
    // Filled in one statement through the table's own position default (the writer's bound held).
    await sql.unsafe(
      `INSERT INTO iter.messages (id, stream_name, stream_version, type, data, metadata)
      SELECT gen_random_uuid(), 'order-' || (g / ${PAGE}), g % ${PAGE}, 'OrderPlaced',
        jsonb_build_object('orderId', g, 'total', 42.5, 'sku', 'abc-1'),
        jsonb_build_object('timestamp', now()::text)
      FROM generate_series(0, ${COUNT - 1}) g`,
    );
    await sql.unsafe("VACUUM ANALYZE iter.messages");
    const raw = await measure(async (sample) => {
      let count = 0;
      let from = "0";
      for (;;) {
        const page = await sql.unsafe(
          `SELECT id::text, stream_name, stream_version::text, type, data::text AS data,
            metadata::text AS metadata, global_position::text AS p
          FROM iter.messages WHERE global_position >= $1::bigint ORDER BY global_position LIMIT ${PAGE}`,
          [from],
          { prepare: true },
        );
        for (const row of page) {
          JSON.parse(row.data);
          JSON.parse(row.metadata);
          count++;
        }
        sample();
        if (page.length < PAGE) return count;
        from = String(BigInt(page[page.length - 1].p) + 1n);
      }
    });
    const ordo = await measure(async (sample) => {
      let count = 0;
      for await (const m of store.readAll()) {
        if (m !== undefined && ++count % PAGE === 0) sample();
      }
      return count;
    });
    return rows("postgres", ordo, raw, "raw keyset pages");
  } finally {
    await sql.end();
    await server.stop();
  }
}

export async function benchIterateMillion(): Promise<BenchRow[]> {
  return [...await benchMemory(), ...await benchPostgres()];
}
