// `npm run demo`: an order flow between three services that talk through one
// event store, printed as a trace of each message and where it went. With no
// configuration it runs on PGlite (PostgreSQL embedded in this process, no
// server); with DATABASE_URL set it uses that PostgreSQL server instead.
//
// - users/lock is a command (sent and waited for);
// - orders/place is a command whose handler appends to the order's stream and
//   publishes orders/placed;
// - inventory subscribes to orders/placed and reserves stock, at its own checkpoint;
// - orders/show is a query (call and wait, nothing stored).
//
// With --console it then leaves the services running and serves ordo's
// console for the store on 127.0.0.1, and says where, until Ctrl-C.
import process from "node:process";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { type ConsumerStorage, createBus, type EventStore, ValidationError } from "../mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
} from "../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../transports/store_backed.ts";
import { checkDatabaseUrl } from "./_database_url.ts";
import { serveConsole } from "./_demo_console.ts";

const trace = (from: string, line: string) => console.log(`  ${from.padEnd(10)} ${line}`);

async function openStore(): Promise<
  {
    where: string;
    store: EventStore & { close(): Promise<void> };
    storage: ConsumerStorage<unknown>;
    close: () => Promise<void>;
  }
> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const sql = postgres(checkDatabaseUrl(url), { onnotice: () => {} });
    const schema = "ordo_demo";
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const store = createPostgresStore(sql, { schema });
    await store.migrate();
    return {
      where: `PostgreSQL at ${new URL(url).host} (schema ${schema})`,
      store,
      storage: createPostgresConsumerStorage(sql, { schema }) as ConsumerStorage<unknown>,
      close: () => sql.end(),
    };
  }
  const pg = await PGlite.create();
  const store = createPGliteStore(pg);
  await store.migrate();
  return {
    where: "PGlite, embedded in this process",
    store,
    storage: createPGliteConsumerStorage(pg) as ConsumerStorage<unknown>,
    close: () => pg.close(),
  };
}

const { where, store, storage, close } = await openStore().catch((error: unknown) => {
  // A setting that is wrong gets one line saying what it should be, not a stack trace.
  if (!(error instanceof ValidationError)) throw error;
  console.error(`ordo demo: ${error.message}`);
  process.exit(1);
});
console.log(`ordo demo: three services on one event store (${where})\n`);
const bus = createBus({ transport: createStoreBackedTransport(store, { storage }) });

// The users service.
const locked = new Set<string>();
const users = bus.handleCommand("users/lock", (command) => {
  const { userId } = command.data as { userId: string };
  locked.add(userId);
  trace(
    "users",
    `handled users/lock for ${userId} (stored at ${command.streamName}, position ${command.globalPosition})`,
  );
  return { userId, locked: true };
});

// The orders service: places orders and answers queries from its stream.
const orders = bus.handleCommand("orders/place", async (command) => {
  const { orderId, userId, items } = command.data as {
    orderId: string;
    userId: string;
    items: Record<string, number>;
  };
  if (locked.has(userId)) throw new Error(`user ${userId} is locked`);
  await appendOrder(store, orderId, { userId, items });
  await bus.publish({
    type: "orders/placed",
    data: { orderId, items },
    stream: `order-${orderId}`,
    id: crypto.randomUUID(),
  });
  trace("orders", `placed order ${orderId} and published orders/placed`);
  return { orderId, status: "placed" };
});
const show = bus.handleQuery("orders/show", async (payload) => {
  const { orderId } = payload as { orderId: string };
  const history = await store.readStream(`order-${orderId}`);
  return { orderId, events: history.map((m) => `${m.streamVersion}:${m.type}`) };
});

// The inventory service: reacts to every placed order, at its own checkpoint.
const stock = new Map<string, number>([["apple", 10], ["pear", 4]]);
let reserved = 0;
let reservedAll!: () => void;
const allReserved = new Promise<void>((resolve) => (reservedAll = resolve));
const inventory = bus.subscribe("inventory", ["orders/placed"], (event) => {
  const { orderId, items } = event.data as { orderId: string; items: Record<string, number> };
  for (const [sku, count] of Object.entries(items)) stock.set(sku, (stock.get(sku) ?? 0) - count);
  trace(
    "inventory",
    `reserved ${
      JSON.stringify(items)
    } for order ${orderId} (event at position ${event.globalPosition})`,
  );
  if (++reserved === 2) reservedAll();
});
await Promise.all([users.ready, orders.ready, show.ready, inventory.ready]);

console.log("flow:");
for (const [orderId, items] of [["1001", { apple: 2 }], ["1002", { pear: 1, apple: 1 }]] as const) {
  trace("client", `sendAndWait orders/place ${orderId}`);
  const result = await bus.sendAndWait({
    type: "orders/place",
    data: { orderId, userId: "ada", items },
  }, { timeout: 10_000 });
  trace("client", `<- ${JSON.stringify(result)}`);
}
await allReserved;

trace("client", "sendAndWait users/lock ada");
trace(
  "client",
  `<- ${
    JSON.stringify(
      await bus.sendAndWait({ type: "users/lock", data: { userId: "ada" } }, { timeout: 10_000 }),
    )
  }`,
);
const refused = await bus.sendAndWait(
  { type: "orders/place", data: { orderId: "1003", userId: "ada", items: { pear: 1 } } },
  { timeout: 10_000 },
).catch((error: Error) => error);
trace(
  "client",
  `<- orders/place 1003 refused: ${
    refused instanceof Error ? refused.message : JSON.stringify(refused)
  }`,
);

trace("client", "query orders/show 1002");
trace(
  "client",
  `<- ${JSON.stringify(await bus.query("orders/show", { orderId: "1002" }, { timeout: 5_000 }))}`,
);

console.log("\nstock after reservations:");
for (const [sku, count] of stock) trace("inventory", `${sku}: ${count}`);
console.log("\nthe order streams, in global order:");
for await (const m of store.readCategory("order")) {
  trace("store", `#${m.globalPosition} ${m.streamName}@${m.streamVersion} ${m.type}`);
}

if (process.argv.includes("--console")) {
  await serveConsole(store, storage, process.env.DATABASE_URL ? "ordo_demo" : undefined);
}

await bus.close();
await store.close();
await close();

async function appendOrder(
  store: EventStore,
  orderId: string,
  data: { userId: string; items: Record<string, number> },
) {
  await store.append(`order-${orderId}`, [{ type: "OrderPlaced", data }], {
    expectedVersion: "no-stream",
  });
}
