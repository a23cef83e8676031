/**
 * The message id index: how the adapter keeps ordo's idempotency rule
 * (core/append_retry.ts) on EventStoreDB, which only deduplicates event ids
 * within one stream, and there only for a retry with the same expected
 * revision (with `"any"`, on a best-effort basis).
 *
 * After an append, each message id gets an index stream (`ordo#id-<id>`) with
 * one event naming the ordo stream and version it was stored at. Before an
 * append, the adapter reads the index streams of the batch's ids, then reads
 * the named streams around the recorded versions to confirm the messages are
 * there and to get their positions. Those confirmed positions go to
 * `resolveAppendRetry`, exactly as in the other stores.
 *
 * @module
 */

import type { JSONEventData, RecordedEvent } from "@eventstore/db-client";
import type { Message, RecordedMessage, StoredPosition } from "../../core/mod.ts";

/** Event type of an index entry. */
export const INDEX_EVENT_TYPE = "ordo.MessageStored";

/** Where an index entry says a message is stored. */
export interface IndexEntry {
  readonly streamName: string;
  readonly streamVersion: number;
}

/**
 * The index event for a stored message. Its event id is the message id, so
 * writing it twice is deduplicated by EventStoreDB itself.
 *
 * @example
 * ```ts
 * import { toIndexEvent } from "./id_index.ts";
 * toIndexEvent("7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a", { streamName: "order-1", streamVersion: 0 }).data;
 * // { streamName: "order-1", streamVersion: 0 }
 * ```
 */
export function toIndexEvent(messageId: string, entry: IndexEntry): JSONEventData {
  return {
    id: messageId,
    contentType: "application/json",
    type: INDEX_EVENT_TYPE,
    data: { streamName: entry.streamName, streamVersion: entry.streamVersion },
    metadata: undefined,
  };
}

/**
 * The entry an index event holds; `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { fromIndexEvent } from "./id_index.ts";
 * fromIndexEvent({ type: "ordo.MessageStored", data: { streamName: "order-1", streamVersion: 2 } } as never);
 * // { streamName: "order-1", streamVersion: 2 }
 * ```
 */
export function fromIndexEvent(
  event: Pick<RecordedEvent, "type" | "data"> | undefined,
): IndexEntry | undefined {
  if (event === undefined || event.type !== INDEX_EVENT_TYPE) return undefined;
  const data = event.data as { streamName?: unknown; streamVersion?: unknown } | null;
  if (typeof data?.streamName !== "string" || !Number.isSafeInteger(data.streamVersion)) {
    return undefined;
  }
  return { streamName: data.streamName, streamVersion: data.streamVersion as number };
}

/** Versions of one stream to read: `count` from `from`. */
export interface VersionRange {
  readonly from: number;
  readonly count: number;
}

/**
 * The stream ranges to read to confirm a batch: for each indexed message `i`
 * at version `v`, the versions the whole batch would take if it were stored
 * there (`v - i` onward), merged per stream. Reading the whole range also
 * finds batch members whose index entry was never written (a writer that
 * stopped between its append and its index writes).
 *
 * @example
 * ```ts
 * import { rangesToConfirm } from "./id_index.ts";
 * rangesToConfirm([{ streamName: "order-1", streamVersion: 4 }, undefined], 2);
 * // Map { "order-1" => { from: 4, count: 2 } }
 * ```
 */
export function rangesToConfirm(
  entries: readonly (IndexEntry | undefined)[],
  batchLength: number,
): Map<string, VersionRange> {
  const bounds = new Map<string, { low: number; high: number }>();
  entries.forEach((entry, i) => {
    if (entry === undefined) return;
    const low = Math.max(0, entry.streamVersion - i);
    const high = Math.max(entry.streamVersion, entry.streamVersion - i + batchLength - 1);
    const known = bounds.get(entry.streamName);
    bounds.set(
      entry.streamName,
      known === undefined
        ? { low, high }
        : { low: Math.min(known.low, low), high: Math.max(known.high, high) },
    );
  });
  const ranges = new Map<string, VersionRange>();
  for (const [stream, { low, high }] of bounds) {
    ranges.set(stream, { from: low, count: high - low + 1 });
  }
  return ranges;
}

/**
 * Where each message of a batch is stored, from the messages read back:
 * `undefined` for one not found.
 *
 * @example
 * ```ts
 * import { storedPositions } from "./id_index.ts";
 * storedPositions([{ id: "a" } as never], []); // [undefined]
 * ```
 */
export function storedPositions(
  messages: readonly Message[],
  found: readonly RecordedMessage[],
): (StoredPosition | undefined)[] {
  const byId = new Map(found.map((m) => [m.id, m]));
  return messages.map((m) => {
    const stored = byId.get(m.id);
    return stored === undefined ? undefined : {
      streamName: stored.streamName,
      streamVersion: stored.streamVersion,
      globalPosition: stored.globalPosition,
    };
  });
}

/**
 * Whether `read` holds exactly the batch's messages, in order: what an append
 * that just succeeded (or an earlier attempt of it) must have stored.
 *
 * @example
 * ```ts
 * import { isSameBatch } from "./id_index.ts";
 * isSameBatch([{ id: "a" }] as never, [{ id: "a" }] as never); // true
 * ```
 */
export function isSameBatch(
  messages: readonly Pick<Message, "id">[],
  read: readonly Pick<RecordedMessage, "id">[],
): boolean {
  return read.length === messages.length && read.every((m, i) => m.id === messages[i].id);
}
