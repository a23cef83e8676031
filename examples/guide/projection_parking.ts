import { createConsumer, createMemoryConsumerStorage, createMemoryStore } from "../../mod.ts";

type PaymentEvent = { type: "PaymentTaken"; data: { cents: number; currency: string } };
const store = createMemoryStore<PaymentEvent>();
await store.append("payment-1", [{ type: "PaymentTaken", data: { cents: 995, currency: "EUR" } }]);
await store.append("payment-2", [{ type: "PaymentTaken", data: { cents: 500, currency: "XXX" } }]);
await store.append("payment-3", [{ type: "PaymentTaken", data: { cents: 120, currency: "EUR" } }]);

const rates: Record<string, number> = { EUR: 1.1 };
let dollars = 0;
const revenue = createConsumer(store, {
  group: "revenue",
  source: { category: "payment" },
  storage: createMemoryConsumerStorage(),
  // Three attempts with backoff, then the message is parked and the consumer moves on.
  retry: { maxAttempts: 3, initialDelay: 5 },
  handler: (message, { tx }) => {
    const rate = rates[message.data.currency];
    if (rate === undefined) throw new Error(`No rate for ${message.data.currency}`);
    tx.onCommit(() => (dollars += Math.round(message.data.cents * rate)));
  },
});
await revenue.caughtUp;
console.log(dollars); // 1227

const [parked] = await revenue.listParked();
const { message, error, attempts } = parked;
console.log(`${message.streamName}: ${error.message} after ${attempts} attempts`); // payment-2: No rate for XXX after 3 attempts

// Fixed: replay it. On success it leaves the parked list.
rates.XXX = 0.5;
const { outcome } = await revenue.replayParked(message.id);
console.log(outcome, dollars, (await revenue.listParked()).length); // replayed 1477 0
await revenue.stop();
