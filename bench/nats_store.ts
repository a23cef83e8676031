// The NATS store against raw acknowledged JetStream publishes and a raw
// JetStream consumer (@nats-io/jetstream 3.4.0), with the same call patterns,
// in the same run, on a real nats-server started here (Debian's 2.9; file
// storage, one node). The raw sides write and read a stream of the same shape
// (one subject per stream) without ordo's checks: no expected version, no id
// index, no record; the raw reader reads the very records ordo wrote and
// parses each one, as ordo does. The raw writers run twice: on a connection
// made as `connect()` makes it by default, and on one made with
// `noAsyncTraces: true`, which drops the two errors with stack traces the
// client makes for every request (ordo makes its own requests, so it is the
// same on both).
import { connect, headers } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { createNatsStore, type NatsEventStore } from "../stores/nats/mod.ts";
import { natsServerMissing, startPrivateNats } from "../tests/_nats_server.ts";
import { type BenchRow, interleavedRates } from "./_measure.ts";

const WRITERS = 16;
const PER_WRITER = 100;
const BATCH = 100;
const BATCH_STEPS = 100;
const CATCH_UP = 100_000;
const ROUNDS = 3;

const message = (n: number) => ({
  id: crypto.randomUUID(),
  type: "OrderPlaced",
  data: { orderId: n, total: 42.5, sku: "abc-1" },
});

const encoder = new TextEncoder();
const timestamp = new Date().toISOString();
const rawPayload = (n: number) =>
  encoder.encode(JSON.stringify({ ...message(n), metadata: { timestamp } }));

async function seconds(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return (performance.now() - start) / 1000;
}

interface Sides {
  readonly store: NatsEventStore;
  readonly js: JetStreamClient;
  readonly leanJs: JetStreamClient;
}

// 16 writers, one message per call, each to a stream of its own; rounds alternate sides.
async function writers({ store, js, leanJs }: Sides): Promise<number[]> {
  const concurrently = (write: (w: number, i: number) => Promise<unknown>) => async () =>
    WRITERS * PER_WRITER /
    await seconds(() =>
      Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < PER_WRITER; i++) await write(w, i);
      }))
    );
  let round = 0;
  const raw = (client: JetStreamClient, name: string) =>
    concurrently((w, i) =>
      client.publish(`raw.${name}.r${round}-${w}`, rawPayload(i), { msgID: crypto.randomUUID() })
    );
  const sides = [
    raw(js, "w"),
    raw(leanJs, "l"),
    concurrently((w, i) => store.append(`w${round}-${w}`, [message(i)])),
  ];
  const best = sides.map(() => 0);
  for (; round < ROUNDS; round++) {
    for (const [i, side] of sides.entries()) best[i] = Math.max(best[i], await side());
  }
  return best;
}

// One writer, 100 messages per call: ordo's one record against 100 acknowledged publishes in flight at once.
function batches({ store, js, leanJs }: Sides): Promise<number[]> {
  const raw = (client: JetStreamClient, name: string) => (step: number) =>
    Promise.all(
      Array.from({ length: BATCH }, (_, k) =>
        client.publish(`raw.${name}.b${step}`, rawPayload(k), { msgID: crypto.randomUUID() })),
    );
  return interleavedRates(BATCH, BATCH_STEPS, [
    raw(js, "batch"),
    raw(leanJs, "lbatch"),
    (step) =>
      store.append(
        `batch-${step < 0 ? "warm" : step}`,
        Array.from({ length: BATCH }, (_, k) => message(k)),
      ),
  ]);
}

// Catch-up: 100k more messages in appends of 100, then everything read from the start by each side.
async function catchUp({ store, js }: Sides): Promise<{ rates: number[]; count: number }> {
  for (let n = 0; n < CATCH_UP / BATCH; n++) {
    await store.append(`fill-${n}`, Array.from({ length: BATCH }, (_, k) => message(k)));
  }
  const rates = [0, 0];
  let count = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Raw: an ordered consumer over the same stream, every record parsed.
    let rawCount = 0;
    const rawSeconds = await seconds(async () => {
      const consumer = await js.consumers.get(store.stream, { deliver_policy: DeliverPolicy.All });
      const messages = await consumer.consume();
      for await (const m of messages) {
        rawCount += (JSON.parse(new TextDecoder().decode(m.data)).m as unknown[]).length;
        if (m.info.pending === 0) break;
      }
      await messages.close();
    });
    let ordoCount = 0;
    const ordoSeconds = await seconds(async () => {
      let from = 0n;
      for (;;) {
        const page = await store.readPage({ from, limit: 1000 });
        ordoCount += page.messages.length;
        if (page.end) return;
        from = page.next;
      }
    });
    if (rawCount !== ordoCount) throw new Error(`raw read ${rawCount} messages, ordo ${ordoCount}`);
    count = ordoCount;
    rates[0] = Math.max(rates[0], rawCount / rawSeconds);
    rates[1] = Math.max(rates[1], ordoCount / ordoSeconds);
  }
  return { rates, count };
}

const row = (
  scenario: string,
  ordo: number,
  baseline: number,
  baselineName: string,
  target?: number,
): BenchRow => ({ scenario, ordo, baseline, baselineName, unit: "msg/s", target });

export async function benchNatsStore(): Promise<BenchRow[]> {
  if (natsServerMissing !== undefined) {
    console.log(`nats: ${natsServerMissing}`);
    return [];
  }
  const server = await startPrivateNats();
  const nc = await connect({ servers: [...server.urls] });
  const lean = await connect({ servers: [...server.urls], noAsyncTraces: true });
  try {
    const js = jetstream(nc);
    await (await js.jetstreamManager()).streams.add({ name: "RAW", subjects: ["raw.>"] });
    const store = createNatsStore(nc, { headers, stream: "BENCH", subjectPrefix: "bench" });
    await store.setup();
    const sides = { store, js, leanJs: jetstream(lean) };
    const [raw, rawLean, ordo] = await writers(sides);
    const [rawBatch, leanBatch, ordoBatch] = await batches(sides);
    const read = await catchUp(sides);
    await store.close();
    return [
      row("nats: 16 writers, 1 message/call", ordo, raw, "raw js.publish ", 0.7),
      row("  same, raw with noAsyncTraces", ordo, rawLean, "raw, no traces "),
      row("nats: 1 writer, 100 messages/call", ordoBatch, rawBatch, "raw js.publish ", 0.7),
      row("  same, raw with noAsyncTraces", ordoBatch, leanBatch, "raw, no traces "),
      row(
        `nats: readPage catch-up over ${read.count.toLocaleString("en-US")}`,
        read.rates[1],
        read.rates[0],
        "raw consumer   ",
        0.7,
      ),
    ];
  } finally {
    await nc.close();
    await lean.close();
    await server.stop();
  }
}
