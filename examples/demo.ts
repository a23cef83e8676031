// `npm run demo`: an order flow between three services that talk through one
// event store, printed as a trace of each message and where it went, with the
// message's id, correlation id and causation id. With no configuration it runs
// on PGlite (PostgreSQL embedded in this process, no server); with
// DATABASE_URL set it uses that PostgreSQL server instead, in a schema of its
// own that it creates under a new name, and drops at the end (`-- --keep`
// keeps it for a look). It never touches a schema it did not create.
//
// - users/lock is a command (sent and waited for);
// - orders/place is a command whose handler appends to the order's stream and
//   publishes orders/placed, both caused by the command (same correlation id);
// - inventory subscribes to orders/placed and reserves stock, at its own checkpoint;
// - orders/show is a query (call and wait, nothing stored).
//
// With --console it then leaves the services running and serves ordo's
// console for the store on 127.0.0.1, and says where, until Ctrl-C.
//
// It closes what it opened at the end (the bus, the store, the database):
// those are services that would otherwise keep following new messages.
//
// Every line says which trace and span it belongs to: the store has
// OpenTelemetry telemetry (the SDK recording in memory), and each handler
// passes its context's `trace` on to what it sends and appends.
import process from "node:process";
import { PGlite } from "@electric-sql/pglite";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import postgres from "postgres";
import {
  type ConsumerStorage,
  createBus,
  type EventStore,
  type MessageMetadata,
  type Telemetry,
  type TraceContext,
  traceIds,
  ValidationError,
} from "../mod.ts";
import { openTelemetry } from "../opentelemetry/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
} from "../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../transports/store_backed.ts";
import { checkDatabaseUrl } from "./_database_url.ts";
import { serveConsole } from "./_demo_console.ts";

const trace = (from: string, line: string, context?: TraceContext) => {
  const span = traceIds(context);
  const where = span === undefined ? "" : `  [trace ${span.traceId} span ${span.spanId}]`;
  console.log(`  ${from.padEnd(10)} ${line}${where}`);
};
/** A message's id, correlation id and causation id, each as its first 8 characters. */
const ids = (message: { id: string; metadata: MessageMetadata }) =>
  `[id ${short(message.id)} correlation ${short(message.metadata.correlationId)} causation ${
    short(message.metadata.causationId)
  }]`;
const short = (id: string | undefined) => id?.slice(0, 8) ?? "-";

// The SDK, recording every span in memory: the demo prints one order's trace at the end.
const spans = new InMemorySpanExporter();
const telemetry: Telemetry = openTelemetry({
  tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
});
/** A client's own span, the root of what it asks: every line of the flow shows its trace. */
const request = (name: string) => telemetry.startSpan(name, { kind: "internal" });

interface Opened {
  where: string;
  store: EventStore & { close(): Promise<void> };
  storage: ConsumerStorage<unknown>;
  close: () => Promise<void>;
  /** The PostgreSQL schema, named in the console's hint for the command line. */
  schema?: string;
}

async function openStore(): Promise<Opened> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const sql = postgres(checkDatabaseUrl(url), { onnotice: () => {} });
    // A name no one else uses: the demo creates it, so it may drop it.
    const schema = `ordo_demo_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    const [{ taken }] = await sql`
      SELECT count(*)::int AS taken FROM pg_namespace WHERE nspname = ${schema}`;
    if (taken > 0) {
      await sql.end();
      throw new ValidationError("schema", schema, "exists already and was not made by this run");
    }
    await sql.unsafe(`CREATE SCHEMA ${schema}`);
    const store = createPostgresStore(sql, { schema, telemetry });
    await store.migrate();
    const keep = process.argv.includes("--keep");
    return {
      where: `PostgreSQL at ${new URL(url).host}, in the new schema ${schema}`,
      store,
      storage: createPostgresConsumerStorage(sql, { schema }),
      schema,
      close: async () => {
        if (keep) console.log(`\nkept schema ${schema}; DROP SCHEMA ${schema} CASCADE removes it`);
        else {
          await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
          console.log(`\ndropped schema ${schema}, made by this run (-- --keep keeps it)`);
        }
        await sql.end();
      },
    };
  }
  const pg = await PGlite.create();
  const store = createPGliteStore(pg, { telemetry });
  await store.migrate();
  return {
    where: "PGlite, embedded in this process",
    store,
    storage: createPGliteConsumerStorage(pg),
    close: () => pg.close(),
  };
}

const { where, store, storage, close, schema } = await openStore().catch((error: unknown) => {
  // A setting that is wrong gets one line saying what it should be, not a stack trace.
  if (error instanceof ValidationError) {
    console.error(`ordo demo: ${error.message}`);
    process.exit(1);
  }
  // So does a server that cannot be reached (stopped, wrong host or port): the
  // demo's first query is its own, before the store would tag the failure.
  const code = (error as { code?: unknown }).code;
  const url = process.env.DATABASE_URL;
  if (url && typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    console.error(
      `ordo demo: cannot reach PostgreSQL at ${new URL(url).host} (${code}): ` +
        "is the server running, and is DATABASE_URL right?",
    );
    process.exit(1);
  }
  throw error;
});
console.log(`ordo demo: three services on one event store (${where})`);
console.log("ids are shown by their first 8 characters\n");
// The transport and the bus inherit the store's telemetry.
const bus = createBus({ transport: createStoreBackedTransport(store, { storage }), name: "demo" });

// The users service.
const locked = new Set<string>();
const users = bus.handleCommand("users/lock", (command, ctx) => {
  const { userId } = command.data as { userId: string };
  locked.add(userId);
  trace("users", `handled users/lock for ${userId} ${ids(command)}`, ctx.trace);
  return { userId, locked: true };
});

// The orders service: places orders and answers queries from its stream.
const orders = bus.handleCommand("orders/place", async (command, ctx) => {
  const { orderId, userId, items } = command.data as {
    orderId: string;
    userId: string;
    items: Record<string, number>;
  };
  trace("orders", `handled orders/place ${orderId} ${ids(command)}`, ctx.trace);
  if (locked.has(userId)) throw new Error(`user ${userId} is locked`);
  // What the command causes carries its correlation id, and the command's id as causation.
  const metadata = { correlationId: command.metadata.correlationId, causationId: command.id };
  await store.append(`order-${orderId}`, [{
    type: "OrderPlaced",
    data: { userId, items },
    metadata,
  }], {
    expectedVersion: "no-stream",
    trace: ctx.trace,
  });
  await bus.publish({
    type: "orders/placed",
    data: { orderId, items },
    stream: `order-${orderId}`,
    id: crypto.randomUUID(),
    metadata,
  }, { trace: ctx.trace });
  trace("orders", `placed order ${orderId} and published orders/placed`, ctx.trace);
  return { orderId, status: "placed" };
}, { retry: { maxAttempts: 1 } }); // a refusal is final: the sender hears it at once
const show = bus.handleQuery("orders/show", async (payload, ctx) => {
  const { orderId } = payload as { orderId: string };
  const history = await store.readStream(`order-${orderId}`, { trace: ctx.trace });
  return { orderId, events: history.map((m) => `${m.streamVersion}:${m.type}`) };
});

// The inventory service: reacts to every placed order, at its own checkpoint.
const stock = new Map<string, number>([["apple", 10], ["pear", 4]]);
let reserved = 0;
let reservedAll!: () => void;
const allReserved = new Promise<void>((resolve) => (reservedAll = resolve));
// Reserving is part of placing the order: the subscription continues the publisher's trace.
const inventory = bus.subscribe("inventory", ["orders/placed"], (event, ctx) => {
  const { orderId, items } = event.data as { orderId: string; items: Record<string, number> };
  for (const [sku, count] of Object.entries(items)) stock.set(sku, (stock.get(sku) ?? 0) - count);
  trace(
    "inventory",
    `reserved ${JSON.stringify(items)} for order ${orderId} ${ids(event)}`,
    ctx.trace,
  );
  if (++reserved === 2) reservedAll();
}, { continueTrace: true });
await Promise.all([users.ready, orders.ready, show.ready, inventory.ready]);

console.log("flow:");
for (const [orderId, items] of [["1001", { apple: 2 }], ["1002", { pear: 1, apple: 1 }]] as const) {
  const placing = request(`place order ${orderId}`);
  trace("client", `sendAndWait orders/place ${orderId}`, placing.context);
  const result = await bus.sendAndWait({
    type: "orders/place",
    data: { orderId, userId: "ada", items },
  }, { timeout: 10_000, trace: placing.context });
  placing.end();
  trace("client", `<- ${JSON.stringify(result)}`, placing.context);
}
await allReserved;

const locking = request("lock ada");
trace("client", "sendAndWait users/lock ada", locking.context);
const lockedAda = await bus.sendAndWait({ type: "users/lock", data: { userId: "ada" } }, {
  timeout: 10_000,
  trace: locking.context,
});
locking.end();
trace("client", `<- ${JSON.stringify(lockedAda)}`, locking.context);
const refusing = request("place order 1003");
const refused = await bus.sendAndWait(
  { type: "orders/place", data: { orderId: "1003", userId: "ada", items: { pear: 1 } } },
  { timeout: 10_000, trace: refusing.context },
).catch((error: Error) => error);
refusing.end();
trace(
  "client",
  `<- orders/place 1003 refused: ${
    refused instanceof Error ? refused.message : JSON.stringify(refused)
  }`,
  refusing.context,
);

const showing = request("show order 1002");
trace("client", "query orders/show 1002", showing.context);
const shown = await bus.query("orders/show", { orderId: "1002" }, {
  timeout: 5_000,
  trace: showing.context,
});
showing.end();
trace("client", `<- ${JSON.stringify(shown)}`, showing.context);

console.log("\nstock after reservations:");
for (const [sku, count] of stock) trace("inventory", `${sku}: ${count}`);
console.log("\nevery message in the store, in global order (commands and replies included):");
for await (const m of store.readAll()) {
  trace("store", `#${m.globalPosition} ${m.streamName}@${m.streamVersion} ${m.type} ${ids(m)}`);
}

console.log("\nthe trace of order 1001, span by span:");
printTree(spans.getFinishedSpans(), "place order 1001");

if (process.argv.includes("--console")) await serveConsole(store, storage, schema);

await bus.close();
await store.close();
await close();

/** The spans of the trace whose root is named `rootName`, indented under their parents. */
function printTree(all: readonly ReadableSpan[], rootName: string): void {
  const root = all.find((span) => span.name === rootName);
  if (root === undefined) return;
  const traceId = root.spanContext().traceId;
  const inTrace = all.filter((span) => span.spanContext().traceId === traceId);
  const print = (span: ReadableSpan, depth: number) => {
    const id = span.spanContext().spanId;
    trace("trace", `${"  ".repeat(depth)}${span.name} (span ${id})`);
    inTrace.filter((child) => child.parentSpanContext?.spanId === id)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
      .forEach((child) => print(child, depth + 1));
  };
  trace("trace", `trace ${traceId}`);
  print(root, 1);
}
