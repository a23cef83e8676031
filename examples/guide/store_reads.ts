import { createMemoryStore } from "../../mod.ts";

type OrderEvent =
  | { type: "OrderPlaced"; data: { total: number } }
  | { type: "OrderShipped"; data: Record<string, never> };

const store = createMemoryStore<OrderEvent>();
for (let i = 1; i <= 2500; i++) {
  await store.append(`order-${i}`, [{ type: "OrderPlaced", data: { total: i % 100 } }]);
}
await store.append("order-1", [{ type: "OrderShipped", data: {} }]);

// A global read yields every message, fetching pages of 1,000 as you iterate:
// memory holds one page, however large the store.
let placed = 0;
for await (const message of store.readCategory("order", { types: ["OrderPlaced"] })) {
  if (message.type === "OrderPlaced") placed++;
}
console.log(`${placed} orders placed`); // 2500 orders placed

// `limit` bounds a read, `from` (inclusive) starts it later; `toArray()` collects it.
const last = await store.readAll({ from: 2500n, limit: 10 }).toArray();
console.log(last.map((m) => `${m.globalPosition}:${m.type}`).join(" ")); // 2500:OrderPlaced 2501:OrderShipped

// Paging yourself: readPage says where the next page starts and whether this one was the last.
let from = 0n;
let pages = 0;
for (;;) {
  const page = await store.readPage({ category: "order", from, limit: 1000 });
  pages++;
  if (page.end) break;
  from = page.next;
}
console.log(`${pages} pages`); // 3 pages

// A stream, whole, as an array (or from a version, or backwards).
const [newest] = await store.readStream("order-1", { direction: "backward", limit: 1 });
console.log(newest.type); // OrderShipped
