// `npm run demo`: a small order flow on the in-memory store, printed as a trace:
// append with optimistic concurrency, a retried append that is deduplicated,
// a projection that follows the category live, and a refused stale write.
// (The embedded PostgreSQL default replaces the memory store once the
// PostgreSQL store lands; the flow stays the same.)
import { ConcurrencyError, createMemoryStore, type RecordedMessage } from "../mod.ts";

const store = createMemoryStore();
const trace = (line: string) => console.log(`  ${line}`);
const show = (m: RecordedMessage) =>
  `#${m.globalPosition} ${m.streamName}@${m.streamVersion} ${m.type} ${JSON.stringify(m.data)}`;

console.log("ordo demo: orders on the in-memory event store\n");

// A projection that follows the "order" category live, from its own checkpoint.
const totals = new Map<string, number>();
let checkpoint = 0n;
const stop = new AbortController();
const projection = (async () => {
  for (;;) {
    for (const m of await store.readCategory("order", { from: checkpoint + 1n })) {
      const id = m.streamName.slice("order-".length);
      if (m.type === "OrderPlaced") totals.set(id, (m.data as { total: number }).total);
      if (m.type === "OrderCancelled") totals.delete(id);
      checkpoint = m.globalPosition;
      trace(`projection  handled ${show(m)}  -> checkpoint ${checkpoint}`);
    }
    const more = await store.waitForAppend(checkpoint, { signal: stop.signal }).catch(() => false);
    if (!more) return;
  }
})();

console.log("writes:");
const placed = { id: crypto.randomUUID(), type: "OrderPlaced", data: { total: 30, items: 2 } };
const first = await store.append("order-1", [placed], { expectedVersion: "no-stream" });
trace(`append      order-1 OrderPlaced -> version ${first.streamVersion}, position ${first.globalPosition}`);
const retry = await store.append("order-1", [placed], { expectedVersion: "no-stream" });
trace(`retry       same id -> deduplicated=${retry.deduplicated}, original position ${retry.globalPosition}`);
await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12, items: 1 } }]);
trace("append      order-2 OrderPlaced");
await store.append("user-7", [{ type: "UserRegistered", data: { name: "Ada" } }]);
trace("append      user-7 UserRegistered (another category: the projection ignores it)");
const cancelled = await store.append("order-2", [{ type: "OrderCancelled", data: { reason: "changed mind" } }], {
  expectedVersion: 0,
});
trace("append      order-2 OrderCancelled at expected version 0");
try {
  await store.append("order-2", [{ type: "OrderShipped", data: {} }], { expectedVersion: 0 });
} catch (error) {
  if (!(error instanceof ConcurrencyError)) throw error;
  trace(`refused     ${error.message}`);
}

// Let the projection catch up with the last order message, then stop it.
while (checkpoint < cancelled.globalPosition) await new Promise((r) => setTimeout(r, 1));
stop.abort();
await projection;

console.log("\nread model (open orders and their totals):");
for (const [id, total] of totals) trace(`order ${id}: ${total}`);
console.log("\nthe whole log, in global order:");
for (const m of await store.readAll()) trace(show(m));
await store.close();
