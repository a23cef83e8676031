import process from "node:process";
import postgres from "postgres";
import { createBus, createConsumer, type MessageTypes } from "../../mod.ts";
import { createPostgresConsumerStorage, createPostgresStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";

type Users = MessageTypes<{ commands: { type: "users/lock"; data: { userId: string } } }>;

// A service: a pool, a store, a bus with a handler, a consumer. All of it runs until closed.
const sql = postgres(process.env.DATABASE_URL ?? "postgres://localhost:5432/shop");
const store = createPostgresStore(sql, { schema: "users" });
await store.migrate();
const storage = createPostgresConsumerStorage(sql, { schema: "users" });
const bus = createBus<Users>({ transport: createStoreBackedTransport(store, { storage }) });
const locked = new Set<string>();
bus.handleCommand("users/lock", (command) => void locked.add(command.data.userId));
const audit = createConsumer(store, {
  group: "audit",
  source: { category: "users:command" },
  storage,
  handler: () => {},
});

// Stop in this order: what takes work in, then what does work, then what they share.
let stopping: Promise<void> | undefined;
const shutdown = () =>
  stopping ??= (async () => {
    process.off("SIGTERM", shutdown);
    process.off("SIGINT", shutdown);
    await bus.close(); // its handlers finish the message in hand
    await audit.stop(); // stores its checkpoint
    await store.close(); // stops listening for new messages
    await sql.end({ timeout: 5 }); // then the pool (bounded: see below)
  })();
process.on("SIGTERM", shutdown); // a supervisor's stop
process.on("SIGINT", shutdown); // Ctrl-C

await bus.sendAndWait({ type: "users/lock", data: { userId: "ada" } });
console.log([...locked].join(" ")); // ada

// This example stops itself; a service waits for the signal.
await shutdown();
console.log("stopped"); // stopped
