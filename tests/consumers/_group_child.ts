// Run by postgres_crash.test.ts in a child process, always with Node
// (`node --import tsx`), whichever runtime runs the test itself: one member of
// a consumer group over the "job" category. The parent may kill it with
// SIGKILL; "stop" on stdin (or the end of stdin, when the parent is gone)
// stops it gracefully and lets the process exit on its own.
//
// The handler logs (member, partition, stream, version, message id) into a
// table through context.tx, so a log row exists exactly when the message's
// checkpoint committed. It then sleeps a few ms inside the transaction, so
// that kills and rebalances land while a handler's write is uncommitted.
//
// Environment: DATABASE_URL, ORDO_SCHEMA, PROJ_SCHEMA, CONSUMER_GROUP,
// MEMBER, PARTITIONS.
import process from "node:process";
import { createInterface } from "node:readline";
import postgres from "postgres";
import { createGroupConsumer } from "../../core/consumers/mod.ts";
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
const schema = env("ORDO_SCHEMA");
const proj = env("PROJ_SCHEMA");
const member = env("MEMBER");

const sql = postgres(env("DATABASE_URL"), {
  max: 8,
  onnotice: () => {},
  connection: { application_name: member },
});
const store = createPostgresStore(sql, { schema, pollInterval: 200 });
const consumer = createGroupConsumer<PostgresJsTransaction>(store, {
  group: env("CONSUMER_GROUP"),
  source: { category: "job" },
  partitions: Number(env("PARTITIONS")),
  member,
  leaseTtl: 1_000,
  heartbeatInterval: 200,
  batchSize: 20,
  storage: createPostgresConsumerStorage(sql, { schema }),
  retry: { maxAttempts: 1_000, initialDelay: 5, maxDelay: 50 },
  onError: (error, context) =>
    console.error(`${member} ${context.phase} error (partition ${context.partition}):`, error),
  handler: async (message, { tx, partition }) => {
    await tx.unsafe(
      `INSERT INTO ${proj}.log (member, partition, stream, version, message_id) VALUES ($1, $2, $3, $4, $5)`,
      [member, partition, message.streamName, message.streamVersion, message.id],
    );
    // Work after the write, inside the transaction: where the parent aims its SIGKILL.
    await new Promise((resolve) => setTimeout(resolve, 3 + Math.floor(Math.random() * 6)));
  },
});
console.log("ready");
void consumer.caughtUp.then(() => console.log("caught-up"), () => {});

let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    try {
      await consumer.stop();
      await store.close();
      await sql.end({ timeout: 5 });
      console.log("stopped");
    } finally {
      lines.close();
      process.stdin.destroy();
    }
  })();
};
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "stop") stop();
});
lines.on("close", stop);
