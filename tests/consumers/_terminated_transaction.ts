// The server ends a consumer's transaction under it: a handler's query is
// running in the message's transaction (with its checkpoint) when another
// session calls pg_terminate_backend on that backend, as a restart or a
// failover would end it. Shared by postgres_terminated_transaction.test.ts,
// which runs it in its own process on postgres.js 4, and by
// _terminated_transaction_child.ts, which runs it in a child process on
// postgres.js 3.4, where postgres.js ends the process (an uncaught TypeError
// from its nextWrite, porsager/postgres#1154 and #1208).
import type postgres from "postgres";
import { createConsoleLogger, createConsumer } from "../../mod.ts";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresJsTransaction,
} from "../../stores/postgres/mod.ts";
import { until } from "../_until.ts";

/** What the consumer did: for the test to assert on. */
export interface TerminatedOutcome {
  /** The message ids the read model holds, in the order their rows were committed. */
  readonly applied: readonly string[];
  /** The ids appended, in order. */
  readonly appended: readonly string[];
  /** Handler calls per message id. */
  readonly calls: Readonly<Record<string, number>>;
  /** The id of the message whose transaction the server ended. */
  readonly interrupted: string;
  /** What the consumer logged. */
  readonly lines: readonly string[];
}

/**
 * Runs the scenario in `schema` (made here) over `sql`, terminating the
 * handler's backend with `admin` (a client of its own): three messages, the
 * second one's first attempt ended by the server, then a fourth appended
 * after it to show the pool still serves.
 */
export async function terminateMidTransaction(
  sql: postgres.Sql,
  admin: postgres.Sql,
  schema: string,
): Promise<TerminatedOutcome> {
  const lines: string[] = [];
  const logger = createConsoleLogger({ write: (line) => void lines.push(line) });
  const store = createPostgresStore(sql, { schema, pollInterval: 100, logger });
  await store.migrate();
  // No unique constraint: a message applied twice would show as two rows.
  await sql.unsafe(`CREATE TABLE ${schema}.applied (seq bigserial PRIMARY KEY, id text NOT NULL)`);
  const storage = createPostgresConsumerStorage(sql, { schema });
  const appended = Array.from({ length: 3 }, () => crypto.randomUUID());
  const interrupted = appended[1];
  const calls: Record<string, number> = {};
  let backend: number | undefined;
  const consumer = createConsumer<PostgresJsTransaction>(store, {
    group: "terminated",
    source: { category: "order" },
    storage,
    logger,
    controlInterval: false,
    retry: { maxAttempts: 100, initialDelay: 20, maxDelay: 100 },
    handler: async (message, { tx }) => {
      calls[message.id] = (calls[message.id] ?? 0) + 1;
      if (message.id === interrupted && calls[message.id] === 1) {
        const [{ pid }] = await tx.unsafe("SELECT pg_backend_pid() AS pid");
        backend = pid as number;
        // Still running when the server ends the session.
        await tx.unsafe("SELECT pg_sleep(30)");
      }
      await tx.unsafe(`INSERT INTO ${schema}.applied (id) VALUES ($1)`, [message.id]);
    },
  });
  const applied = async () =>
    (await sql.unsafe(`SELECT id FROM ${schema}.applied ORDER BY seq`)).map((row) =>
      row.id as string
    );
  try {
    await store.append(
      "order-1",
      appended.map((id, n) => ({ id, type: "OrderPlaced", data: { n } })),
    );
    await until(() => backend !== undefined, "the handler's backend");
    const pid = backend!;
    await until(async () => {
      const [{ sleeping }] = await admin.unsafe(
        "SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
        [pid],
      );
      return sleeping === 1;
    }, "the handler's query running");
    await admin.unsafe("SELECT pg_terminate_backend($1)", [pid]);
    await until(async () => (await applied()).length >= 3, "the three messages applied");
    const after = crypto.randomUUID();
    appended.push(after);
    await store.append("order-2", [{ id: after, type: "OrderPlaced", data: { n: 3 } }]);
    await until(async () => (await applied()).length >= 4, "the message appended after");
    // Room for a message applied twice to show.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { applied: await applied(), appended, calls, interrupted, lines };
  } finally {
    await consumer.close();
    await store.close();
  }
}
