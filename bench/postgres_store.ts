// The PostgreSQL store against raw postgres.js on a table of the same shape
// (bigserial position, unique (stream, version), unique id, jsonb), with the
// same call patterns, in the same run, on a real PostgreSQL 18 server started
// from node_modules (fsync on). Raw statements are prepared, like the store's.
import postgres from "./_postgres_driver.ts";
import { createPostgresStore } from "../stores/postgres/mod.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import { type BenchRow, interleavedRates } from "./_measure.ts";
import {
  message,
  PREPARED,
  RAW_INSERT_MANY,
  RAW_INSERT_MANY_WITH_CATEGORY,
  RAW_INSERT_ONE,
  RAW_NOTIFY,
  RAW_READ,
  RAW_TABLE,
  RAW_TABLE_WITH_CATEGORY,
} from "./_raw_postgres.ts";

const WRITERS = 16;
const PER_WRITER = 100;
// Batches per side in the batch scenario, taken in turns.
const BATCH_STEPS = 200;
const CATCH_UP = 100_000;
// A p99 needs many samples on a machine whose statements stall now and then
// for milliseconds; each side takes this many, alternating.
const LATENCY_SAMPLES = 1500;

async function timed(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return (performance.now() - start) / 1000;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

export async function benchPostgresStore(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: WRITERS + 4 });
  const readerSql = postgres(server.url, { onnotice: () => {}, max: 2 });
  try {
    const store = createPostgresStore(sql, { schema: "bench" });
    await store.migrate();
    await sql.unsafe(RAW_TABLE);
    await sql.unsafe(RAW_TABLE_WITH_CATEGORY);
    const timestamp = new Date().toISOString();

    // Each scenario alternates raw and ordo rounds and keeps each side's best,
    // so both see the same server state (checkpoints, cache, autovacuum).
    const ROUNDS = 3;
    const best = async (...sides: ((round: number) => Promise<number>)[]) => {
      const bests = sides.map(() => 0);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, side] of sides.entries()) bests[i] = Math.max(bests[i], await side(round));
      }
      return bests;
    };

    // 16 concurrent writers, one message per call, each to its own stream:
    // raw (prepared, and unprepared for comparison with older figures) and
    // ordo, whose append resolves with its global position (appends made
    // while the store is busy commit in groups: postgres-grouped-appends.md);
    // and ordo until a reader may read the last message, so the figure hides
    // no work left over.
    let readableRate = 0;
    const rawWriters = (prefix: string, options?: typeof PREPARED) => async (round: number) =>
      (WRITERS * PER_WRITER) /
      await timed(() =>
        Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < PER_WRITER; i++) {
            const m = message(i);
            const params = [
              m.id,
              `${prefix}${round}-${w}`,
              i,
              m.type,
              JSON.stringify(m.data),
              JSON.stringify({ timestamp }),
            ];
            await sql.unsafe(RAW_INSERT_ONE, params, options);
          }
        }))
      );
    const [rawConcurrent, rawConcurrentUnprepared, ordoConcurrent] = await best(
      rawWriters("raw", PREPARED),
      rawWriters("rawu"),
      async (round) => {
        const start = performance.now();
        const lasts = await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
          let last = 0n;
          for (let i = 0; i < PER_WRITER; i++) {
            last = (await store.append(`w${round}-${w}`, [message(i)])).globalPosition;
          }
          return last;
        }));
        const resolved = performance.now();
        const last = lasts.reduce((a, b) => (a > b ? a : b));
        while (!(await store.waitForAppend(last - 1n, { timeout: 10_000 }))) {
          /* a NOTIFY pending */
        }
        readableRate = Math.max(
          readableRate,
          (WRITERS * PER_WRITER) / ((performance.now() - start) / 1000),
        );
        return (WRITERS * PER_WRITER) / ((resolved - start) / 1000);
      },
    );

    // Clean up as autovacuum would, so the next scenario does not pay for this one.
    await sql.unsafe("VACUUM ANALYZE bench.messages");
    await sql.unsafe("VACUUM ANALYZE raw_messages");

    // One writer, 100 messages per call, each side to a stream of its own,
    // taking turns batch by batch (interleavedRates): rounds of 40 batches a
    // side swung from 0.59x to 0.93x between runs of the same code.
    const batchOf = (n: number) => Array.from({ length: 100 }, (_, k) => message(n * 100 + k));
    // Step -1 is the warm-up: it writes to a stream of its own.
    const rawBatches =
      (stream: string, options?: typeof PREPARED, insert = RAW_INSERT_MANY) =>
      async (step: number) => {
        const batch = batchOf(step).map((m) => ({ ...m, metadata: { timestamp } }));
        await sql.unsafe(insert, [
          `${stream}${step < 0 ? "warm" : ""}-1`,
          Math.max(step, 0) * 100,
          JSON.stringify(batch),
        ], options);
      };
    const [rawBatch, rawBatchUnprepared, rawBatchWithCategory, ordoBatch] = await interleavedRates(
      100,
      BATCH_STEPS,
      [
        rawBatches("rawbatch", PREPARED),
        rawBatches("rawubatch"),
        rawBatches("rawcbatch", PREPARED, RAW_INSERT_MANY_WITH_CATEGORY),
        (step) => store.append(`batch${step < 0 ? "warm" : ""}-1`, batchOf(step)),
      ],
    );

    // Catch-up: fill both with 100k more messages, let VACUUM do what autovacuum
    // would, then read everything in pages of 1000.
    for (let filled = 0; filled < CATCH_UP; filled += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => message(filled + k));
      await store.append(`fill-${filled}`, batch);
      await sql.unsafe(RAW_INSERT_MANY, [
        `rawfill-${filled}`,
        0,
        JSON.stringify(batch.map((m) => ({ ...m, metadata: { timestamp } }))),
      ], PREPARED);
    }
    await sql.unsafe("VACUUM ANALYZE bench.messages");
    await sql.unsafe("VACUUM ANALYZE raw_messages");
    await sql.unsafe("DROP TABLE raw_category_messages");
    const total = Number(await store.headPosition());
    const [[rawTotal]] = await sql.unsafe("SELECT count(*)::int FROM raw_messages").values();
    // Each side must read every row it holds, or its rate means nothing.
    const readAllOf = (side: string, expected: number, read: () => Promise<number>) => async () => {
      const start = performance.now();
      const count = await read();
      const seconds = (performance.now() - start) / 1000;
      if (count !== expected) throw new Error(`${side} catch-up read ${count} rows of ${expected}`);
      return count / seconds;
    };
    const [rawRead, ordoRead] = await best(
      readAllOf("raw", rawTotal, async () => {
        let from = 0n;
        let count = 0;
        for (;;) {
          const rows = await sql.unsafe(RAW_READ, [String(from)], PREPARED);
          if (rows.length === 0) return count;
          // The same work the store does per row: parse JSON.
          for (const row of rows) {
            JSON.parse(row.data);
            JSON.parse(row.metadata);
          }
          count += rows.length;
          from = BigInt(rows[rows.length - 1].pos) + 1n;
        }
      }),
      readAllOf("ordo", total, async () => {
        let from = 0n;
        let count = 0;
        for (;;) {
          const page = await store.readPage({ from, limit: 1000 });
          count += page.messages.length;
          if (page.end) return count;
          from = page.next;
        }
      }),
    );

    // Latency: append resolves -> a reader woken by LISTEN/NOTIFY (on its own connections) has the message.
    const reader = createPostgresStore(readerSql, { schema: "bench" });
    const seenAt = new Map<string, number>();
    let from = (await reader.headPosition()) + 1n;
    let stop = false;
    const following = (async () => {
      while (!stop) {
        const page = await reader.readPage({ from, limit: 1000 });
        const now = performance.now();
        for (const m of page.messages) seenAt.set(m.id, now);
        if (page.messages.length > 0) from = page.next;
        else await reader.waitForAppend(from - 1n, { timeout: 200 });
      }
    })();
    await reader.waitForAppend(from - 1n, { timeout: 50 }); // LISTEN in place

    // The raw baseline: insert, then NOTIFY after it as the store does; a raw
    // LISTENer selects what is new. It reads without a readable head, so it
    // can skip a message that commits late: the cost of not doing so is the
    // difference (ordo's woken reader asks for the head before it reads).
    const [[rawHead]] = await sql.unsafe(
      "SELECT coalesce(max(position), 0)::text FROM raw_messages",
    ).values();
    let rawFrom = BigInt(rawHead) + 1n;
    let rawReading: Promise<void> | undefined;
    let rawAgain = false;
    const readRaw = async () => {
      do {
        rawAgain = false;
        const rows = await readerSql.unsafe(RAW_READ, [String(rawFrom)], PREPARED);
        const now = performance.now();
        for (const row of rows) seenAt.set(row.id, now);
        if (rows.length > 0) rawFrom = BigInt(rows[rows.length - 1].pos) + 1n;
      } while (rawAgain);
      rawReading = undefined;
    };
    const rawListening = await readerSql.listen("raw_appended", () => {
      if (rawReading === undefined) rawReading = readRaw();
      else rawAgain = true;
    });

    const sample = async (
      write: (m: ReturnType<typeof message>) => Promise<unknown>,
      fromResolve: number[],
      fromStart: number[],
      i: number,
    ) => {
      const m = message(i);
      const started = performance.now();
      await write(m);
      const resolved = performance.now();
      while (!seenAt.has(m.id)) await new Promise((r) => setTimeout(r, 0));
      fromResolve.push(Math.max(0, seenAt.get(m.id)! - resolved));
      fromStart.push(seenAt.get(m.id)! - started);
    };
    const fromResolve: number[] = [];
    const fromStart: number[] = [];
    const rawFromResolve: number[] = [];
    const rawFromStart: number[] = [];
    const metadata = JSON.stringify({ timestamp });
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await sample((m) => store.append("latency-1", [m]), fromResolve, fromStart, i);
      await sample(
        async (m) => {
          await sql.unsafe(RAW_INSERT_ONE, [
            m.id,
            "rawlatency-1",
            i,
            m.type,
            JSON.stringify(m.data),
            metadata,
          ], PREPARED);
          // Not awaited, as the store does not await its NOTIFY round; a
          // postgres.js query only runs once something calls its then().
          void sql.unsafe(RAW_NOTIFY, [], PREPARED).then(() => {});
        },
        rawFromResolve,
        rawFromStart,
        i,
      );
    }
    stop = true;
    await following;
    await rawListening.unlisten();
    await reader.close();
    await store.close();
    for (const samples of [fromResolve, fromStart, rawFromResolve, rawFromStart]) {
      samples.sort((a, b) => a - b);
    }
    const ms = (n: number) => Number(n.toFixed(2));
    // p50 and p99 of one latency, ordo beside raw; the p99 line names its target, if any.
    const latencyRows = (
      from: string,
      ordo: number[],
      raw: number[],
      p99Target: string,
    ): BenchRow[] =>
      [0.5, 0.99].map((p) => ({
        scenario: `postgres: append ${from} -> reader has it, p${p * 100} ms${
          p === 0.99 ? p99Target : ""
        }`,
        ordo: ms(percentile(ordo, p)),
        baseline: ms(percentile(raw, p)),
        baselineName: "raw LISTEN+read",
        unit: "ms",
      }));

    return [
      {
        scenario: "postgres: 16 writers, 1 message/call",
        ordo: ordoConcurrent,
        baseline: rawConcurrent,
        baselineName: "raw postgres.js",
        unit: "msg/s",
        target: 0.9,
      },
      {
        scenario: "  same, vs raw unprepared (sql.unsafe)",
        ordo: ordoConcurrent,
        baseline: rawConcurrentUnprepared,
        baselineName: "raw unprepared ",
        unit: "msg/s",
      },
      {
        scenario: "  same, until the last is readable",
        ordo: readableRate,
        baseline: rawConcurrent,
        baselineName: "raw postgres.js",
        unit: "msg/s",
      },
      {
        scenario: "postgres: 1 writer, 100 messages/call",
        ordo: ordoBatch,
        baseline: rawBatch,
        baselineName: "raw postgres.js",
        unit: "msg/s",
        target: 0.9,
      },
      {
        scenario: "  same, vs raw unprepared (sql.unsafe)",
        ordo: ordoBatch,
        baseline: rawBatchUnprepared,
        baselineName: "raw unprepared ",
        unit: "msg/s",
      },
      {
        scenario: "  same, vs raw with ordo's category index",
        ordo: ordoBatch,
        baseline: rawBatchWithCategory,
        baselineName: "raw + category ",
        unit: "msg/s",
      },
      {
        scenario: `postgres: readPage catch-up over ${total.toLocaleString("en-US")} (vacuumed)`,
        ordo: ordoRead,
        baseline: rawRead,
        baselineName: "raw keyset read",
        unit: "msg/s",
        target: 0.8,
      },
      // Latencies: lower is better, so these ratios read the other way (ordo / raw).
      ...latencyRows("resolved", fromResolve, rawFromResolve, " (target ≤5)"),
      ...latencyRows("started", fromStart, rawFromStart, ""),
    ];
  } finally {
    await sql.end({ timeout: 5 });
    await readerSql.end({ timeout: 5 });
    await server.stop();
  }
}
