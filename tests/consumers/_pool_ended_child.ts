// Run by exit.test.ts in a child process: shuts down in the wrong order. A
// consumer catches up and waits for appends, then the postgres.js pool is
// ended at once (before the consumer stops), then the consumer stops and the
// store closes. Nothing may keep this process alive afterwards. A LISTEN
// connection still connecting when the pool ends is what used to: postgres.js
// leaves its socket open until connect_timeout (30 s). Several rounds, since
// that depends on which of two timers fires first.
import process from "node:process";
import postgres from "postgres";
import { createConsumer, silentLogger } from "../../mod.ts";
import { createPostgresConsumerStorage, createPostgresStore } from "../../stores/postgres/mod.ts";

const url = process.env.ORDO_TEST_URL!;
const schema = process.env.ORDO_TEST_SCHEMA!;
const rounds = 5;
let seen = 0;
for (let round = 0; round < rounds; round++) {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const store = createPostgresStore(sql, { schema, logger: silentLogger });
  if (round === 0) await store.append("order-1", [{ type: "Placed", data: {} }]);
  const consumer = createConsumer(store, {
    group: `live-${round}`,
    source: { category: "order" },
    storage: createPostgresConsumerStorage(sql, { schema }),
    logger: silentLogger,
    handler: () => void seen++,
  });
  await consumer.caughtUp;
  await sql.end(); // the wrong order: the pool first
  await consumer.stop();
  await store.close();
}
console.log(`stopped ${rounds} consumers after ${seen} messages`);
