// The memory store against the least an idempotent in-memory store must do:
// look up and index the message id, push the record onto its stream and the log.
//
// Two call patterns, each run by both sides:
// - "built per call": the caller makes each message just before appending it,
//   as a service does. Target: 0.85 of the bare loop.
// - "prebuilt": 100k messages made up front, so the bare loop does little more
//   than two map lookups and a few pushes; it never reads an id's characters
//   or the data, which the store must check and copy. Target: 0.6 of the bare
//   loop (not met; docs/decisions/memory-store.md says why).
//
// The bare loop skips work the store contract requires: a stored message must
// be a frozen copy (a caller's later change to its object must not reach the
// store, a reader must not change what others read). So both patterns are
// also run against a second baseline, the bare loop plus that copy: a deep
// copy and freeze of the data, with no checks at all, and a frozen record.
// The bare-loop rows stay as they were, so figures before and after compare.
import { createMemoryStore, type MessageInput } from "../mod.ts";
import { type BenchRow, bestRate, bestRates } from "./_measure.ts";

const COUNT = 100_000;
const ROUNDS = 7;
const STREAMS = 1_000;
const streamNames = Array.from({ length: STREAMS }, (_, i) => `order-${i}`);

type Input = MessageInput & { id: string };

const build = (i: number): Input => ({
  id: crypto.randomUUID(),
  type: "OrderPlaced",
  data: { orderId: i, total: 42.5, sku: "abc-1" },
});

interface BareRecord {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly streamName: string;
  readonly streamVersion: number;
  readonly globalPosition: bigint;
}

/** The bare store: id index, per-stream arrays and a global log, behind an awaited call like the real one. */
function bareStore() {
  const byId = new Map<string, BareRecord>();
  const streams = new Map<string, BareRecord[]>();
  const log: BareRecord[] = [];
  return async (stream: string, message: Input): Promise<BareRecord> => {
    const known = byId.get(message.id);
    if (known !== undefined) return known;
    let records = streams.get(stream);
    if (records === undefined) streams.set(stream, records = []);
    const record: BareRecord = {
      id: message.id,
      type: message.type,
      data: message.data,
      metadata: message.metadata,
      streamName: stream,
      streamVersion: records.length,
      globalPosition: BigInt(log.length + 1),
    };
    byId.set(message.id, record);
    records.push(record);
    log.push(record);
    return record;
  };
}

/** Deep copy of JSON data, frozen, with no checks: what a frozen-copy store cannot skip. */
function frozenCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = frozenCopy(value[i]);
    return Object.freeze(copy);
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(copy);
}

/** The bare store that also keeps frozen copies, as the contract requires. */
function bareCopyingStore() {
  const byId = new Map<string, BareRecord>();
  const streams = new Map<string, BareRecord[]>();
  const log: BareRecord[] = [];
  return async (stream: string, message: Input): Promise<BareRecord> => {
    const known = byId.get(message.id);
    if (known !== undefined) return known;
    let records = streams.get(stream);
    if (records === undefined) streams.set(stream, records = []);
    const record: BareRecord = Object.freeze({
      id: message.id,
      type: message.type,
      data: frozenCopy(message.data),
      metadata: message.metadata,
      streamName: stream,
      streamVersion: records.length,
      globalPosition: BigInt(log.length + 1),
    });
    byId.set(message.id, record);
    records.push(record);
    log.push(record);
    return record;
  };
}

export async function benchMemoryStore(): Promise<BenchRow[]> {
  const [bareBuilt, ordoBuilt] = await bestRates(COUNT, ROUNDS, async () => {
    const append = bareStore();
    for (let i = 0; i < COUNT; i++) await append(streamNames[i % STREAMS], build(i));
  }, async () => {
    const store = createMemoryStore();
    for (let i = 0; i < COUNT; i++) await store.append(streamNames[i % STREAMS], [build(i)]);
  });

  const prebuilt = Array.from({ length: COUNT }, (_, i) => build(i));
  const [barePrebuilt, ordoPrebuilt] = await bestRates(COUNT, ROUNDS, async () => {
    const append = bareStore();
    for (let i = 0; i < COUNT; i++) await append(streamNames[i % STREAMS], prebuilt[i]);
  }, async () => {
    const store = createMemoryStore();
    for (let i = 0; i < COUNT; i++) await store.append(streamNames[i % STREAMS], [prebuilt[i]]);
  });
  const ordoBatched = await bestRate(COUNT, ROUNDS, async () => {
    const store = createMemoryStore();
    for (let i = 0; i < COUNT; i += 100) {
      await store.append(streamNames[(i / 100) % STREAMS], prebuilt.slice(i, i + 100));
    }
  });

  const filled = createMemoryStore();
  for (let i = 0; i < COUNT; i++) await filled.append(streamNames[i % STREAMS], [prebuilt[i]]);
  const [ordoRead, bareRead] = await bestRates(COUNT, ROUNDS, async () => {
    let from = 0n;
    for (;;) {
      const page = await filled.readPage({ from, limit: 1000 });
      if (page.end) break;
      from = page.next;
    }
  }, async () => {
    // The raw equivalent of a paged read: awaited slices of the log array.
    const log = prebuilt;
    for (let i = 0; i < log.length; i += 1000) await Promise.resolve(log.slice(i, i + 1000));
  });

  // Against the bare loop plus the frozen copy; measured after the rows above, so those are
  // taken exactly as before this baseline existed.
  const [copyingBuilt, ordoBuiltAgain] = await bestRates(COUNT, ROUNDS, async () => {
    const append = bareCopyingStore();
    for (let i = 0; i < COUNT; i++) await append(streamNames[i % STREAMS], build(i));
  }, async () => {
    const store = createMemoryStore();
    for (let i = 0; i < COUNT; i++) await store.append(streamNames[i % STREAMS], [build(i)]);
  });
  const [copyingPrebuilt, ordoPrebuiltAgain] = await bestRates(COUNT, ROUNDS, async () => {
    const append = bareCopyingStore();
    for (let i = 0; i < COUNT; i++) await append(streamNames[i % STREAMS], prebuilt[i]);
  }, async () => {
    const store = createMemoryStore();
    for (let i = 0; i < COUNT; i++) await store.append(streamNames[i % STREAMS], [prebuilt[i]]);
  });

  return [
    {
      scenario: "memory: append 1/call, built per call",
      ordo: ordoBuilt,
      baseline: bareBuilt,
      baselineName: "bare loop",
      unit: "msg/s",
      target: 0.85,
    },
    {
      scenario: "memory: append 1/call, prebuilt (cold data)",
      ordo: ordoPrebuilt,
      baseline: barePrebuilt,
      baselineName: "bare loop",
      unit: "msg/s",
      target: 0.6,
    },
    {
      scenario: "memory: append 100/call, prebuilt",
      ordo: ordoBatched,
      baseline: barePrebuilt,
      baselineName: "bare loop 1/call",
      unit: "msg/s",
    },
    {
      scenario: "memory: append 1/call, built per call",
      ordo: ordoBuiltAgain,
      baseline: copyingBuilt,
      baselineName: "bare loop + frozen copy",
      unit: "msg/s",
    },
    {
      scenario: "memory: append 1/call, prebuilt (cold data)",
      ordo: ordoPrebuiltAgain,
      baseline: copyingPrebuilt,
      baselineName: "bare loop + frozen copy",
      unit: "msg/s",
    },
    {
      scenario: "memory: readPage, pages of 1000",
      ordo: ordoRead,
      baseline: bareRead,
      baselineName: "array slices",
      unit: "msg/s",
    },
  ];
}
