import { createConsumer, createMemoryConsumerStorage, createMemoryStore } from "../../mod.ts";

const store = createMemoryStore();

// The writer chooses each message's id. An append retried with the same id
// (the answer was lost, the process restarted) stores nothing new and
// answers with the first append's positions.
const id = crypto.randomUUID();
const first = await store.append("payment-1", [{ id, type: "PaymentTaken", data: { cents: 995 } }]);
const retry = await store.append("payment-1", [{ id, type: "PaymentTaken", data: { cents: 995 } }]);
console.log(retry.deduplicated, retry.globalPosition === first.globalPosition); // true true
console.log((await store.readStream("payment-1")).length); // 1

// Consumers deliver at least once: a handler that fails is called again with
// the same message. Its id is the key that makes an outside effect happen once.
const sent = new Set<string>();
let attempts = 0;
const receipts = createConsumer(store, {
  group: "receipts",
  source: { category: "payment" },
  storage: createMemoryConsumerStorage(),
  retry: { initialDelay: 1 },
  handler: (_message, { idempotencyKey }) => {
    attempts++;
    if (!sent.has(idempotencyKey)) sent.add(idempotencyKey); // the mail service dedups by this key
    if (attempts === 1) throw new Error("connection reset after the mail went out");
  },
});
await receipts.caughtUp;
await receipts.stop();
console.log(`${attempts} attempts, ${sent.size} receipt sent`); // 2 attempts, 1 receipt sent
