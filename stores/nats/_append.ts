// One append on NATS: reserve the batch's ids in the index (a lookup and a
// write in one request per id), settle ids already there (a retry, a
// duplicate, or a stale reservation), then publish the batch record with the
// stream's expected last subject sequence. See docs/decisions/nats.md.

import {
  type AppendResult,
  ConcurrencyError,
  type ExpectedVersion,
  type Message,
  resolveAppendRetry,
  satisfiesExpectedVersion,
  type StoredPosition,
  StoreUnavailableError,
  ValidationError,
} from "../../core/mod.ts";
import { encodeEntries, encodeRecord, lastVersionOf, toGlobalPosition } from "./batch_record.ts";
import type { IdIndex, IndexEntry } from "./id_index.ts";
import {
  actualLastSequence,
  bytesOf,
  isWrongLastSequence,
  type JetStreamApi,
} from "./jetstream/mod.ts";
import type { StreamHead, StreamHeads } from "./stream_heads.ts";
import type { Located, StreamReader } from "./_stream_reader.ts";

/** What an append needs of its store. */
export interface AppendContext {
  readonly api: JetStreamApi;
  readonly index: IdIndex;
  readonly reader: StreamReader;
  readonly heads: StreamHeads;
  /** The subject of an ordo stream. */
  readonly subjectOf: (streamName: string) => string;
  /** Largest record the server takes, in bytes. */
  readonly maxRecordBytes: () => number;
  /**
   * Milliseconds an id reserved for another stream is given to show up there
   * before its reservation counts as abandoned (twice the request timeout).
   */
  readonly abandonedAfter: number;
}

/** A stream's end, and whether it was just read from the server. */
interface KnownHead {
  readonly head: StreamHead | undefined;
  readonly fresh: boolean;
}

const headOf = (located: Located | undefined): StreamHead | undefined =>
  located === undefined
    ? undefined
    : { seq: located.seq, lastVersion: lastVersionOf(located.record) };

/** Appends `messages` (validated) to `streamName`. */
export async function appendBatch(
  context: AppendContext,
  streamName: string,
  messages: readonly Message[],
  expected: ExpectedVersion,
): Promise<AppendResult> {
  const entries = encodeEntries(messages);
  checkSize(context, streamName, entries);
  const ids = messages.map((m) => m.id);
  for (let attempt = 0;; attempt++) {
    const known = await knownHead(context, streamName, expected);
    const after = known.head?.seq ?? 0;
    const found = await context.index.reserve(ids, streamName, after);
    if (found.some((entry) => entry !== undefined)) {
      const settled = await settle(context, streamName, messages, found, after);
      if (settled === "again") {
        if (attempt < 10) continue;
        throw new StoreUnavailableError(
          "append",
          "other writers kept changing the index entries of this append's ids; retry it",
        );
      }
      if (typeof settled === "object") return settled;
    }
    return await publish(context, streamName, messages, entries, expected, known);
  }
}

function checkSize(context: AppendContext, streamName: string, entries: string): void {
  // Header and record fields come to well under 512 bytes.
  const size = bytesOf(entries).length + streamName.length * 4 + 512;
  const max = context.maxRecordBytes();
  if (size > max) {
    throw new ValidationError(
      "messages",
      `${size} bytes`,
      `an append is stored as one NATS message, and the server takes at most ${max} bytes (its max_payload)`,
    );
  }
}

// The stream's end: from the cache when it can serve the expectation, else read.
async function knownHead(
  context: AppendContext,
  streamName: string,
  expected: ExpectedVersion,
): Promise<KnownHead> {
  if (expected === "no-stream") return { head: undefined, fresh: false };
  const cached = context.heads.get(streamName);
  if (cached !== undefined && (typeof expected !== "number" || cached.lastVersion === expected)) {
    return { head: cached, fresh: false };
  }
  return { head: await readHead(context, streamName), fresh: true };
}

async function readHead(
  context: AppendContext,
  streamName: string,
): Promise<StreamHead | undefined> {
  const head = headOf(await context.reader.last(streamName));
  if (head === undefined) context.heads.delete(streamName);
  else context.heads.set(streamName, head);
  return head;
}

// Ids already in the index: a retry (returned), a duplicate (thrown), or
// reservations nobody used (adopted or taken over; "again" when another
// writer changed one first).
async function settle(
  context: AppendContext,
  streamName: string,
  messages: readonly Message[],
  found: readonly (IndexEntry | undefined)[],
  after: number,
): Promise<AppendResult | "new" | "again"> {
  const stored: (StoredPosition | undefined)[] = [];
  const read: Located[] = [];
  for (let i = 0; i < messages.length; i++) {
    const entry = found[i];
    stored.push(
      entry === undefined || entry.streamName === ""
        ? undefined
        : await locate(context, entry, messages[i].id, read),
    );
  }
  const retry = resolveAppendRetry(streamName, messages, stored);
  if (retry !== undefined) return retry;
  // An id reserved for another stream and not there yet may be on its way (that
  // append is between its reservation and its publish): give it time to land.
  const elsewhere = found.flatMap((entry, i) =>
    entry !== undefined && entry.streamName !== "" && entry.streamName !== streamName ? [i] : []
  );
  const deadline = performance.now() + context.abandonedAfter;
  while (elsewhere.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const i of elsewhere) {
      stored[i] = await locate(context, found[i]!, messages[i].id, read);
      // Stored there after all: the same id in two streams is refused.
      if (stored[i] !== undefined) return resolveAppendRetry(streamName, messages, stored)!;
    }
  }
  for (const i of elsewhere) {
    if (!(await context.index.takeOver(messages[i].id, found[i]!, streamName, after))) {
      return "again";
    }
  }
  return "new";
}

// Finds one id in the stream its entry names, first among the records this append already read
// (a retried batch is usually one record).
async function locate(
  context: AppendContext,
  entry: IndexEntry,
  id: string,
  read: Located[],
): Promise<StoredPosition | undefined> {
  for (const located of read) {
    if (located.record.streamName !== entry.streamName || located.seq <= entry.after) continue;
    const position = positionIn(located, id);
    if (position !== undefined) return position;
  }
  const located = await context.reader.findRecord(entry.streamName, id, entry.after);
  if (located === undefined) return undefined;
  read.push(located);
  return positionIn(located, id);
}

function positionIn({ seq, record }: Located, id: string): StoredPosition | undefined {
  const index = record.messages.findIndex((entry) => entry[0] === id);
  return index === -1 ? undefined : {
    streamName: record.streamName,
    streamVersion: record.firstVersion + index,
    globalPosition: toGlobalPosition(seq, index),
  };
}

async function publish(
  context: AppendContext,
  streamName: string,
  messages: readonly Message[],
  entries: string,
  expected: ExpectedVersion,
  known: KnownHead,
): Promise<AppendResult> {
  let { head, fresh } = known;
  const subject = context.subjectOf(streamName);
  for (;;) {
    if (!satisfiesExpectedVersion(expected, head?.lastVersion)) {
      if (!fresh) {
        head = await readHead(context, streamName);
        fresh = true;
        continue;
      }
      throw new ConcurrencyError(streamName, expected, head?.lastVersion);
    }
    const firstVersion = head === undefined ? 0 : head.lastVersion + 1;
    const previous = head?.seq ?? 0;
    try {
      const ack = await context.api.publish(
        subject,
        bytesOf(encodeRecord(streamName, firstVersion, previous, entries)),
        {
          msgId: messages[0].id,
          expectedLastSubjectSequence: previous,
          headers: { "Ordo-Count": String(messages.length) },
        },
      );
      if (ack.duplicate) return await confirm(context, streamName, messages, ack.seq);
      context.heads.set(streamName, {
        seq: ack.seq,
        lastVersion: firstVersion + messages.length - 1,
      });
      return result(streamName, messages, ack.seq, firstVersion, false);
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
      const actual = actualLastSequence(error);
      const located = actual === undefined
        ? await context.reader.last(streamName)
        : await context.reader.at(actual);
      // An earlier attempt of this same append may be the record that moved the stream.
      if (located !== undefined && located.record.messages[0]?.[0] === messages[0].id) {
        return await confirm(context, streamName, messages, located.seq);
      }
      head = headOf(located);
      fresh = true;
      if (head !== undefined) context.heads.set(streamName, head);
    }
  }
}

// The record at `seq` holds this append's first id: an earlier call of this
// append stored it (its answer was lost), found by the duplicate window or by
// the stream having moved.
async function confirm(
  context: AppendContext,
  streamName: string,
  messages: readonly Message[],
  seq: number,
): Promise<AppendResult> {
  const located = await context.reader.at(seq);
  const stored = messages.map((m) => located === undefined ? undefined : positionIn(located, m.id));
  const retry = resolveAppendRetry(streamName, messages, stored);
  if (retry === undefined) {
    throw new Error(`Cannot confirm the append to stream "${streamName}" at sequence ${seq}`);
  }
  return retry;
}

function result(
  streamName: string,
  messages: readonly Message[],
  seq: number,
  firstVersion: number,
  deduplicated: boolean,
): AppendResult {
  const positions = messages.map((m, i) => ({
    id: m.id,
    streamVersion: firstVersion + i,
    globalPosition: toGlobalPosition(seq, i),
  }));
  const last = positions[positions.length - 1];
  return {
    streamName,
    streamVersion: last.streamVersion,
    globalPosition: last.globalPosition,
    positions,
    deduplicated,
  };
}
