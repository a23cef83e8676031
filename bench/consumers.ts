// Consumers on PostgreSQL: a same-database projection catching up with
// checkpoints, against a raw keyset read of the same messages in the same run;
// and the latency from append resolving to the handler having the message.
import type { TransactionSql } from "postgres";
import postgres from "./_postgres_driver.ts";
import { createConsumer, type RecordedMessage } from "../mod.ts";
import { createPostgresConsumerStorage, createPostgresStore } from "../stores/postgres/mod.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import { type BenchRow, percentile } from "./_measure.ts";

const CATCH_UP = 100_000;
const PER_MESSAGE = 5_000;
const LATENCY_SAMPLES = 200;
// Rounds of the raw read and the two fast catch-ups, in turns.
const ROUNDS = 3;

export async function benchConsumers(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: 8 });
  try {
    const store = createPostgresStore(sql, { schema: "cbench" });
    await store.migrate();
    await sql.unsafe(
      "CREATE TABLE cbench.totals (stream text PRIMARY KEY, total numeric NOT NULL)",
    );
    // Ten messages per order, as a read model of orders sees them: a page of
    // 1000 touches 100 rows. Eight appends at a time, to fill quickly.
    for (let filled = 0; filled < CATCH_UP; filled += 80) {
      await Promise.all(Array.from({ length: 8 }, (_, k) =>
        store.append(
          `order-${(filled + k * 10) / 10}`,
          Array.from({ length: 10 }, (_, n) => ({ type: "OrderPlaced", data: { total: n } })),
        )));
    }
    await sql.unsafe("VACUUM ANALYZE cbench.messages");

    // Raw: page through the same messages with a keyset read, parsing what the
    // store parses. It runs in turns with the catch-ups it is compared with,
    // each side keeping its best, so a burst of load on this shared machine
    // falls on both sides alike.
    // Three columns, as the issue measured its baseline; and, as a second baseline, the seven a
    // handler gets (id, type, stream, version and position too, the store's casts), which is what
    // the reads-at-scale scenario compares readAll with.
    const THREE_COLUMNS =
      "data::text AS data, metadata::text AS metadata, global_position::text AS p";
    const SEVEN_COLUMNS =
      'id::text AS id, type, data::text AS data, metadata::text AS metadata, stream_name AS "streamName", stream_version::float8 AS "streamVersion", global_position::text AS p';
    const rawOnce = async (columns = THREE_COLUMNS) => {
      const start = performance.now();
      let from = "0";
      for (;;) {
        const rows = await sql.unsafe(
          `SELECT ${columns} FROM cbench.messages WHERE global_position >= $1::bigint ORDER BY global_position LIMIT 1000`,
          [from],
          { prepare: true },
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          JSON.parse(row.data);
          JSON.parse(row.metadata);
        }
        from = String(BigInt(rows[rows.length - 1].p) + 1n);
      }
      return CATCH_UP / ((performance.now() - start) / 1000);
    };

    // ordo: a projection whose writes commit with its checkpoint. Per page (the
    // catch-up configuration), over everything; per message, over the first part.
    const storage = createPostgresConsumerStorage(sql, { schema: "cbench" });
    const inMemory = new Map<string, number>();
    // A page handler's projection: one statement per page, summing by stream in SQL.
    const upsertPage = async (
      group: string,
      page: readonly RecordedMessage[],
      tx: TransactionSql,
    ) => {
      await tx.unsafe(
        `INSERT INTO cbench.totals (stream, total)
          SELECT stream, sum(total) FROM unnest($1::text[], $2::numeric[]) AS t(stream, total) GROUP BY stream
          ON CONFLICT (stream) DO UPDATE SET total = cbench.totals.total + EXCLUDED.total`,
        [
          page.map((m) => `${group}:${m.streamName}`),
          page.map((m) => (m.data as { total: number }).total),
        ],
        { prepare: true },
      );
    };
    const project = async (
      group: string,
      commit: "page" | "message",
      count: number,
      write: "tx" | "memory" | "page" = "tx",
    ) => {
      const begin = performance.now();
      let handled = 0;
      let reached!: () => void;
      const enough = new Promise<void>((resolve) => (reached = resolve));
      const handlers = write === "page"
        ? {
          pageHandler: (page: readonly RecordedMessage[], { tx }: { tx: TransactionSql }) =>
            upsertPage(group, page, tx),
        }
        : {
          handler: async (message: RecordedMessage, { tx }: { tx: TransactionSql }) => {
            if (write === "memory") {
              inMemory.set(
                message.streamName,
                (inMemory.get(message.streamName) ?? 0) + (message.data as { total: number }).total,
              );
              return;
            }
            await tx.unsafe(
              "INSERT INTO cbench.totals (stream, total) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET total = cbench.totals.total + EXCLUDED.total",
              [`${group}:${message.streamName}`, (message.data as { total: number }).total],
            );
          },
        };
      const projection = createConsumer(store, {
        group,
        source: { category: "order" },
        storage,
        batchSize: 1000,
        commit,
        ...handlers,
        onPage: (page) => {
          handled += page.handled;
          if (handled >= count) reached();
        },
      });
      await enough;
      const rate = count / ((performance.now() - begin) / 1000);
      await projection.stop();
      return rate;
    };
    let rawRead = 0;
    let rawReadSeven = 0;
    let catchUpEngine = 0;
    let catchUpStatement = 0;
    for (let round = 0; round < ROUNDS; round++) {
      rawRead = Math.max(rawRead, await rawOnce());
      rawReadSeven = Math.max(rawReadSeven, await rawOnce(SEVEN_COLUMNS));
      catchUpEngine = Math.max(
        catchUpEngine,
        await project(`engine-${round}`, "page", CATCH_UP, "memory"),
      );
      rawRead = Math.max(rawRead, await rawOnce());
      catchUpStatement = Math.max(
        catchUpStatement,
        await project(`statement-${round}`, "page", CATCH_UP, "page"),
      );
    }
    const catchUpPage = await project("per-page", "page", CATCH_UP);
    const catchUpMessage = await project("per-message", "message", PER_MESSAGE);
    rawRead = Math.max(rawRead, await rawOnce());

    // Latency: append resolves -> the live projection's handler runs.
    const handledAt = new Map<string, number>();
    const live = createConsumer(store, {
      group: "latency",
      source: { category: "latency" },
      storage,
      handler: (message) => void handledAt.set(message.id, performance.now()),
    });
    await live.caughtUp;
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const id = crypto.randomUUID();
      await store.append("latency-1", [{ id, type: "Pinged", data: { i } }]);
      const resolved = performance.now();
      while (!handledAt.has(id)) await new Promise((r) => setTimeout(r, 0));
      latencies.push(Math.max(0, handledAt.get(id)! - resolved));
    }
    await live.stop();
    await store.close();
    latencies.sort((a, b) => a - b);
    const ms = (n: number) => Number(n.toFixed(2));
    return [
      {
        scenario: `consumers: catch-up with checkpoints, ${
          CATCH_UP.toLocaleString("en-US")
        } msgs, commit per page, in-memory fold`,
        ordo: catchUpEngine,
        baseline: rawRead,
        baselineName: "raw keyset read",
        unit: "msg/s",
        target: 0.7,
      },
      {
        scenario: `consumers: catch-up with checkpoints, ${
          CATCH_UP.toLocaleString("en-US")
        } msgs, commit per page, in-memory fold, against the seven columns a handler gets`,
        ordo: catchUpEngine,
        baseline: rawReadSeven,
        baselineName: "raw keyset read, 7 columns",
        unit: "msg/s",
      },
      {
        scenario: `consumers: projection catch-up, ${
          CATCH_UP.toLocaleString("en-US")
        } msgs, page handler, 1 SQL statement/page`,
        ordo: catchUpStatement,
        baseline: rawRead,
        baselineName: "raw keyset read",
        unit: "msg/s",
        target: 0.3,
      },
      {
        scenario: `consumers: projection catch-up, ${
          CATCH_UP.toLocaleString("en-US")
        } msgs, commit per page, 1 SQL write/msg`,
        ordo: catchUpPage,
        baseline: rawRead,
        baselineName: "raw keyset read",
        unit: "msg/s",
      },
      {
        scenario: `consumers: projection catch-up, ${
          PER_MESSAGE.toLocaleString("en-US")
        } msgs, commit per message`,
        ordo: catchUpMessage,
        baseline: rawRead,
        baselineName: "raw keyset read",
        unit: "msg/s",
      },
      {
        scenario: "consumers: append resolved -> handler ran, p50 ms",
        ordo: ms(percentile(latencies, 0.5)),
        baseline: 10,
        baselineName: "target p99",
        unit: "ms",
      },
      {
        scenario: "consumers: append resolved -> handler ran, p99 ms",
        ordo: ms(percentile(latencies, 0.99)),
        baseline: 10,
        baselineName: "target p99",
        unit: "ms",
      },
    ];
  } finally {
    await sql.end({ timeout: 5 });
    await server.stop();
  }
}
