// The bus against what it is built on, in the same run:
// - in-process delivery: publish -> both subscribed groups handled, against the
//   memory store's own append rate (target ≥0.7×: the bus adds little);
// - in-process query dispatch (bus.query with its deadline, retry and breaker)
//   against a bare awaited call of the same handler (target: ≥1,000,000 calls/s),
//   and, as an extra line, the same with a handler that returns a promise (the
//   path where the deadline's lane and a promise of the bus's own are needed);
// - command send -> handled latency over the store-backed transport on PGlite
//   (p50 and p99, milliseconds), beside the store's own append latency.
import { PGlite } from "@electric-sql/pglite";
import { createBus } from "../core/messaging/mod.ts";
import { createMemoryStore } from "../mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../stores/postgres/mod.ts";
import { createInProcessTransport } from "../transports/in_process.ts";
import { createStoreBackedTransport } from "../transports/store_backed.ts";
import { type BenchRow, bestRates, percentile } from "./_measure.ts";

const EVENTS = 100_000;
const QUERIES = 1_000_000;
const ROUNDS = 5;
const COMMANDS = 300;
const streamNames = Array.from({ length: 1_000 }, (_, i) => `order-${i}`);

async function publishAndDeliver(): Promise<void> {
  const bus = createBus({ transport: createInProcessTransport() });
  let handled = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const count = () => {
    if (++handled === EVENTS * 2) done();
  };
  bus.subscribe("billing", ["orders/placed"], count);
  bus.subscribe("audit", ["orders/placed"], count);
  for (let i = 0; i < EVENTS; i++) {
    await bus.publish({
      type: "orders/placed",
      id: crypto.randomUUID(),
      stream: streamNames[i % 1_000],
      data: { orderId: i, total: 42.5, sku: "abc-1" },
    });
  }
  await all;
  await bus.close();
}

async function memoryAppends(): Promise<void> {
  const store = createMemoryStore();
  for (let i = 0; i < EVENTS; i++) {
    await store.append(streamNames[i % 1_000], [{
      id: crypto.randomUUID(),
      type: "orders/placed",
      data: { orderId: i, total: 42.5, sku: "abc-1" },
    }]);
  }
}

async function storeBackedLatency(): Promise<
  { p50: number; p99: number; appendP50: number; appendP99: number }
> {
  const pg = await PGlite.create();
  const store = createPGliteStore(pg, { schema: "bench" });
  await store.migrate();
  const bus = createBus({
    transport: createStoreBackedTransport(store, {
      storage: createPGliteConsumerStorage(pg, { schema: "bench" }),
    }),
  });
  const handledAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const registration = bus.handleCommand("users/lock", (command) => {
    handledAt.set(command.id, performance.now());
    waiters.get(command.id)?.();
  });
  await registration.ready;
  const latencies: number[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    const id = crypto.randomUUID();
    const handled = new Promise<void>((resolve) => waiters.set(id, resolve));
    const start = performance.now();
    await bus.send({ type: "users/lock", id, data: { userId: `u-${i}` } });
    await handled;
    if (i >= 20) latencies.push(handledAt.get(id)! - start); // the first ones warm up
  }
  const appends: number[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    const start = performance.now();
    await store.append(`probe-${i}`, [{ type: "Probe", data: {} }]);
    appends.push(performance.now() - start);
  }
  await bus.close();
  await store.close();
  await pg.close();
  latencies.sort((a, b) => a - b);
  appends.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    appendP50: percentile(appends, 0.5),
    appendP99: percentile(appends, 0.99),
  };
}

/** The messaging rows of `npm run bench`. */
export async function benchMessaging(): Promise<BenchRow[]> {
  const [busRate, appendRate] = await bestRates(EVENTS, ROUNDS, publishAndDeliver, memoryAppends);

  const bus = createBus({ transport: createInProcessTransport() });
  const show = (payload: unknown) => payload;
  bus.handleQuery("orders/show", show);
  const payload = { orderId: "o-1" };
  const [queryRate, bareRate] = await bestRates(QUERIES, ROUNDS, async () => {
    for (let i = 0; i < QUERIES; i++) await bus.query("orders/show", payload);
  }, async () => {
    for (let i = 0; i < QUERIES; i++) await Promise.resolve(show(payload));
  });
  const showLater = (payload: unknown) => Promise.resolve(payload);
  bus.handleQuery("orders/show_later", showLater);
  const [asyncQueryRate, bareAsyncRate] = await bestRates(QUERIES, ROUNDS, async () => {
    for (let i = 0; i < QUERIES; i++) await bus.query("orders/show_later", payload);
  }, async () => {
    for (let i = 0; i < QUERIES; i++) await showLater(payload);
  });
  await bus.close();

  const latency = await storeBackedLatency();
  return [
    {
      scenario: "bus in-process: publish -> 2 groups handled",
      ordo: busRate,
      baseline: appendRate,
      baselineName: "memory append",
      unit: "msg/s",
      target: 0.7,
    },
    {
      scenario: "bus in-process: query dispatch",
      ordo: queryRate,
      baseline: 1_000_000,
      baselineName: "target 1M/s",
      unit: "calls/s",
      target: 1,
    },
    {
      scenario: "bus in-process: query vs bare awaited call",
      ordo: queryRate,
      baseline: bareRate,
      baselineName: "bare call",
      unit: "calls/s",
    },
    {
      scenario: "bus in-process: query, async handler",
      ordo: asyncQueryRate,
      baseline: bareAsyncRate,
      baselineName: "bare call",
      unit: "calls/s",
    },
    {
      scenario: "bus store-backed (PGlite): send -> handled p50",
      ordo: latency.p50,
      baseline: latency.appendP50,
      baselineName: "append p50",
      unit: "ms",
    },
    {
      scenario: "bus store-backed (PGlite): send -> handled p99",
      ordo: latency.p99,
      baseline: latency.appendP99,
      baselineName: "append p99",
      unit: "ms",
    },
  ];
}
