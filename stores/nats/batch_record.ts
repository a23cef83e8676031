/**
 * One append, one JetStream message. JetStream 2.9 has no atomic batch
 * publish, so ordo stores an append's messages together in a single JetStream
 * message (a "batch record"): the server stores it whole or not at all, and a
 * reader sees all of its messages or none. The record is JSON:
 *
 * ```
 * { "s": stream name, "f": version of its first message,
 *   "p": stream sequence of the stream's previous record (0 for the first),
 *   "m": [[id, type, data, metadata], ...] }
 * ```
 *
 * Global positions come from JetStream's stream sequence, a single total
 * order: message `i` of the record at sequence `seq` is at
 * `seq * POSITIONS_PER_SEQUENCE + i`. Positions therefore only grow, have
 * gaps, and a `from` inside a record starts at that message.
 *
 * @module
 */

import type { JsonValue, Message, RecordedMessage } from "../../core/mod.ts";

/** Positions each JetStream sequence spans: the most messages one append may hold. */
export const POSITIONS_PER_SEQUENCE = 10_000;
const SPAN = BigInt(POSITIONS_PER_SEQUENCE);

/**
 * The global position of message `index` of the record at stream sequence `seq`.
 *
 * @example
 * ```ts
 * import { toGlobalPosition } from "./batch_record.ts";
 * toGlobalPosition(42, 3); // 420003n
 * ```
 */
export function toGlobalPosition(seq: number, index: number): bigint {
  return BigInt(seq) * SPAN + BigInt(index);
}

/**
 * The stream sequence and index within its record of a global position.
 *
 * @example
 * ```ts
 * import { fromGlobalPosition } from "./batch_record.ts";
 * fromGlobalPosition(420003n); // { seq: 42, index: 3 }
 * ```
 */
export function fromGlobalPosition(position: bigint): { seq: number; index: number } {
  return { seq: Number(position / SPAN), index: Number(position % SPAN) };
}

/** A batch record, decoded. */
export interface BatchRecord {
  /** The ordo stream the append went to. */
  readonly streamName: string;
  /** Version of its first message. */
  readonly firstVersion: number;
  /** Stream sequence of the stream's previous record; 0 when this is its first. */
  readonly previous: number;
  /** The append's messages, in order. */
  readonly messages: readonly RecordEntry[];
}

/** One message of a record: id, type, data, metadata. */
export type RecordEntry = readonly [string, string, JsonValue, Message["metadata"]];

/**
 * The JSON text of an append's messages, made once per append: the record's
 * other fields depend on the stream's end, which a retried publish re-reads.
 *
 * @example
 * ```ts
 * import { encodeEntries } from "./batch_record.ts";
 * encodeEntries([{ id: "a", type: "T", data: {}, metadata: { timestamp: "t" } }]);
 * // '[["a","T",{},{"timestamp":"t"}]]'
 * ```
 */
export function encodeEntries(messages: readonly Message[]): string {
  const entries: RecordEntry[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    entries[i] = [m.id, m.type, m.data, m.metadata];
  }
  return JSON.stringify(entries);
}

/**
 * The JSON text of a record, from its messages' text ({@link encodeEntries}).
 *
 * @example
 * ```ts
 * import { encodeRecord } from "./batch_record.ts";
 * encodeRecord("order-1", 0, 0, '[["a","T",{},{"timestamp":"t"}]]');
 * // '{"s":"order-1","f":0,"p":0,"m":[["a","T",{},{"timestamp":"t"}]]}'
 * ```
 */
export function encodeRecord(
  streamName: string,
  firstVersion: number,
  previous: number,
  entries: string,
): string {
  return `{"s":${JSON.stringify(streamName)},"f":${firstVersion},"p":${previous},"m":${entries}}`;
}

/**
 * Decodes a record's JSON text; `undefined` for anything that is not one.
 *
 * @example
 * ```ts
 * import { decodeRecord } from "./batch_record.ts";
 * decodeRecord('{"s":"order-1","f":0,"p":0,"m":[["a","T",{},{"timestamp":"t"}]]}')?.firstVersion; // 0
 * ```
 */
export function decodeRecord(text: string): BatchRecord | undefined {
  let raw: { s?: unknown; f?: unknown; p?: unknown; m?: unknown };
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    typeof raw !== "object" || raw === null || typeof raw.s !== "string" ||
    typeof raw.f !== "number" || !Array.isArray(raw.m)
  ) {
    return undefined;
  }
  return {
    streamName: raw.s,
    firstVersion: raw.f,
    previous: typeof raw.p === "number" ? raw.p : 0,
    messages: raw.m as RecordEntry[],
  };
}

/** Version of a record's last message. */
export function lastVersionOf(record: BatchRecord): number {
  return record.firstVersion + record.messages.length - 1;
}

/**
 * The recorded messages of the record at `seq`, from its message `from` on.
 *
 * @example
 * ```ts
 * import { recordedMessages } from "./batch_record.ts";
 * const record = { streamName: "order-1", firstVersion: 4, previous: 3, messages: [["a", "T", {}, { timestamp: "t" }]] } as const;
 * recordedMessages(record, 7)[0].globalPosition; // 70000n
 * ```
 */
export function recordedMessages(
  record: BatchRecord,
  seq: number,
  from = 0,
): RecordedMessage[] {
  const base = BigInt(seq) * SPAN;
  const result: RecordedMessage[] = [];
  for (let i = from; i < record.messages.length; i++) {
    const [id, type, data, metadata] = record.messages[i];
    result.push({
      id,
      type,
      data,
      metadata,
      streamName: record.streamName,
      streamVersion: record.firstVersion + i,
      globalPosition: base + BigInt(i),
    });
  }
  return result;
}
