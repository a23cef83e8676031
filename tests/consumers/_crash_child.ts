// Run by postgres_crash.test.ts in a child process, always with Node
// (`node --import tsx`), whichever runtime runs the test itself; the parent
// kills it with SIGKILL at random moments.
//
// It loads, prints "loaded", and waits on stdin: "go" starts a consumer of the
// "acct" category (prints "ready", then "handling" when its handler is first
// called), "stop" (or the end of stdin, when the
// parent is gone) stops it gracefully and lets the process exit on its own.
// The handler keeps a same-database projection through context.tx (a counter
// and a sum per stream, which double-count if a message is applied twice, and
// a log of applied message ids without a unique constraint), and sends an
// "email" through context.once: a line with the message id appended to a file.
//
// Environment: DATABASE_URL, ORDO_SCHEMA (store and consumer storage),
// PROJ_SCHEMA (read model), EFFECTS_FILE, CONSUMER_GROUP, CHILD_NAME (the
// connections' application_name, so the parent can see them gone).
import { appendFileSync } from "node:fs";
import process from "node:process";
import { createInterface } from "node:readline";
import postgres from "postgres";
import { type Consumer, createConsumer } from "../../core/consumers/mod.ts";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresJsTransaction,
} from "../../stores/postgres/mod.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
};
const url = env("DATABASE_URL");
const schema = env("ORDO_SCHEMA");
const proj = env("PROJ_SCHEMA");
const effectsFile = env("EFFECTS_FILE");
const group = env("CONSUMER_GROUP");
const name = env("CHILD_NAME");

let sql: postgres.Sql | undefined;
let consumer: Consumer | undefined;
let stopping: Promise<void> | undefined;
let handling = false;

function start(): void {
  if (sql !== undefined || stopping !== undefined) return;
  sql = postgres(url, { max: 4, onnotice: () => {}, connection: { application_name: name } });
  const store = createPostgresStore(sql, { schema, pollInterval: 200 });
  const storage = createPostgresConsumerStorage(sql, { schema });
  consumer = createConsumer<PostgresJsTransaction>(store, {
    group,
    source: { category: "acct" },
    storage,
    batchSize: 25,
    retry: { maxAttempts: 1_000, initialDelay: 5, maxDelay: 50 },
    onError: (error, context) => console.error(`${name} ${context.phase} error:`, error),
    handler: async (message, context) => {
      if (!handling) {
        handling = true;
        console.log("handling");
      }
      const { tx } = context;
      const amount = (message.data as { amount: number }).amount;
      await tx.unsafe(
        `INSERT INTO ${proj}.totals (stream, count, total) VALUES ($1, 1, $2)
         ON CONFLICT (stream) DO UPDATE SET count = ${proj}.totals.count + 1, total = ${proj}.totals.total + EXCLUDED.total`,
        [message.streamName, amount],
      );
      await context.once("email", (key) => appendFileSync(effectsFile, `${key}\n`));
      await tx.unsafe(
        `INSERT INTO ${proj}.applied (message_id, stream, version) VALUES ($1, $2, $3)`,
        [
          message.id,
          message.streamName,
          message.streamVersion,
        ],
      );
    },
  });
  console.log("ready");
  void consumer.done.then(() => {}, (error) => console.error(`${name} consumer failed:`, error));
  // Let stop() close what start() opened.
  const opened = { sql, store };
  closeOpened = async () => {
    await consumer?.stop();
    await opened.store.close();
    await opened.sql.end({ timeout: 5 });
  };
}

let closeOpened: () => Promise<void> = async () => {};

function stop(): void {
  stopping ??= (async () => {
    try {
      await closeOpened();
      console.log("stopped");
    } finally {
      lines.close();
      process.stdin.destroy();
    }
  })();
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "go") start();
  else if (line === "stop") stop();
});
lines.on("close", stop);
console.log("loaded");
