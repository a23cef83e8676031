// rebuildProjection on PostgreSQL: a projection that writes one row per
// message through `tx`, rebuilt with the default commit (per page) beside
// `commit: "message"` (the default before), in the same run.
import postgres from "./_postgres_driver.ts";
import { rebuildProjection } from "../mod.ts";
import { createPostgresConsumerStorage, createPostgresStore } from "../stores/postgres/mod.ts";
import { startPostgres } from "../tests/_postgres_server.ts";
import type { BenchRow } from "./_measure.ts";

const MESSAGES = 3_000;
const ROUNDS = 3;

export async function benchRebuild(): Promise<BenchRow[]> {
  const server = await startPostgres();
  const sql = postgres(server.url, { onnotice: () => {}, max: 4 });
  try {
    const store = createPostgresStore<{ type: "OrderPlaced"; data: { total: number } }>(sql, {
      schema: "rbench",
    });
    await store.migrate();
    await sql.unsafe(
      "CREATE TABLE rbench.totals (stream text PRIMARY KEY, total numeric NOT NULL)",
    );
    for (let i = 0; i < MESSAGES; i += 100) {
      await store.append(
        `order-${i / 100}`,
        Array.from({ length: 100 }, (_, n) => ({ type: "OrderPlaced", data: { total: n } })),
      );
    }
    const storage = createPostgresConsumerStorage(sql, { schema: "rbench" });
    const rebuild = async (commit: "page" | "message" | undefined) => {
      const start = performance.now();
      const result = await rebuildProjection(store, {
        group: "totals",
        source: { category: "order" },
        storage,
        ...(commit === undefined ? {} : { commit }),
        reset: async () => void await sql.unsafe("TRUNCATE rbench.totals"),
        handler: async (message, { tx }) => {
          await tx.unsafe(
            "INSERT INTO rbench.totals (stream, total) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET total = rbench.totals.total + EXCLUDED.total",
            [message.streamName, message.data.total],
          );
        },
      });
      if (result.processed !== MESSAGES) throw new Error(`rebuilt ${result.processed}`);
      return performance.now() - start;
    };
    let byDefault = Infinity;
    let perMessage = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      perMessage = Math.min(perMessage, await rebuild("message"));
      byDefault = Math.min(byDefault, await rebuild(undefined));
    }
    await store.close();
    return [{
      scenario: `consumers: rebuildProjection ${MESSAGES.toLocaleString("en-US")} msgs, ms`,
      ordo: byDefault,
      baseline: perMessage,
      baselineName: 'commit: "message"',
      unit: "ms (default, per page)",
    }];
  } finally {
    await sql.end({ timeout: 5 });
    await server.stop();
  }
}
