// Run by exit.test.ts in a child process: a consumer on a PGlite store that
// polls every ten minutes while it waits for appends. It is stopped and the
// database closed, but not the store: if the store's poll outlived its last
// waiting reader, this process would stay up for ten minutes.
import { PGlite } from "@electric-sql/pglite";
import { createConsumer } from "../../mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../../stores/postgres/mod.ts";

const pg = await PGlite.create();
const store = createPGliteStore(pg, { pollInterval: 600_000 });
await store.migrate();
await store.append("order-1", [{ type: "Placed", data: {} }]);
let seen = 0;
const consumer = createConsumer(store, {
  group: "live",
  source: { category: "order" },
  storage: createPGliteConsumerStorage(pg),
  handler: () => void seen++,
});
await consumer.caughtUp;
// Let it start waiting (and arm its poll) before it stops.
await new Promise((resolve) => setTimeout(resolve, 50));
await consumer.stop();
await pg.close();
console.log(`stopped after ${seen} message`);
