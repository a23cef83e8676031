/**
 * The message id index: how the adapter keeps ordo's idempotency rule
 * (core/append_retry.ts) with no time limit. JetStream's own `Nats-Msg-Id`
 * deduplication forgets an id after the stream's duplicate window (two
 * minutes by default), and covers one id per JetStream message, so it cannot
 * see an id inside a batch.
 *
 * Each message id gets an entry in a stream of its own (`<stream>_IDS`, one
 * subject per id, `<prefix>_ids.<id>`), written *before* the append with
 * "create" semantics (`Nats-Expected-Last-Subject-Sequence: 0`): that one
 * write both looks the id up and reserves it. The entry names the ordo stream
 * and a stream sequence the append's record comes after. It is never
 * confirmed: whoever meets an existing entry looks for the id in the named
 * stream after that sequence, so an entry left by an append that failed or
 * crashed is recognised as such (nothing found, for the same stream at once,
 * for another stream after twice the request timeout, in case that append is
 * still on its way), and taken over with a compare-and-set on the entry's own
 * sequence.
 *
 * @module
 */

import { bytesOf, isWrongLastSequence, type JetStreamApi, textOf } from "./jetstream/mod.ts";
import type { StoreSubjects } from "./subjects.ts";

/** An index entry that was already there when an append tried to reserve its id. */
export interface IndexEntry {
  /** The ordo stream the id was reserved for. */
  readonly streamName: string;
  /** A stream sequence of that stream's subject the record holding the id comes after. */
  readonly after: number;
  /** The entry's own sequence in the index stream (for a compare-and-set). */
  readonly entrySeq: number;
}

/**
 * The entry's JSON text.
 *
 * @example
 * ```ts
 * import { encodeEntry } from "./id_index.ts";
 * encodeEntry("order-1", 41); // '{"s":"order-1","a":41}'
 * ```
 */
export function encodeEntry(streamName: string, after: number): string {
  return JSON.stringify({ s: streamName, a: after });
}

/**
 * Decodes an entry; `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { decodeEntry } from "./id_index.ts";
 * decodeEntry('{"s":"order-1","a":41}', 7); // { streamName: "order-1", after: 41, entrySeq: 7 }
 * ```
 */
export function decodeEntry(text: string, entrySeq: number): IndexEntry | undefined {
  try {
    const raw = JSON.parse(text) as { s?: unknown; a?: unknown };
    if (typeof raw.s !== "string" || typeof raw.a !== "number") return undefined;
    return { streamName: raw.s, after: raw.a, entrySeq };
  } catch {
    return undefined;
  }
}

// At most this many index writes in flight for one append.
const PARALLEL = 128;

/** The index over one store's subjects and index stream. */
export class IdIndex {
  readonly #api: JetStreamApi;
  readonly #stream: string;
  readonly #subjects: StoreSubjects;

  constructor(api: JetStreamApi, indexStream: string, subjects: StoreSubjects) {
    this.#api = api;
    this.#stream = indexStream;
    this.#subjects = subjects;
  }

  /**
   * Reserves each id for `streamName`, after stream sequence `after`. Resolves
   * one slot per id: `undefined` where the id was free and is now reserved,
   * the entry found where it was not.
   */
  async reserve(
    ids: readonly string[],
    streamName: string,
    after: number,
  ): Promise<(IndexEntry | undefined)[]> {
    const body = bytesOf(encodeEntry(streamName, after));
    const found: (IndexEntry | undefined)[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        found[i] = await this.#create(ids[i], body);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
    return found;
  }

  async #create(id: string, body: Uint8Array): Promise<IndexEntry | undefined> {
    for (;;) {
      try {
        await this.#api.publish(this.#subjects.idEntry(id), body, {
          expectedLastSubjectSequence: 0,
        });
        return undefined;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const entry = await this.read(id);
      if (entry !== undefined) return entry;
      // The entry went away between the refusal and the read (purged): try again.
    }
  }

  /** The entry of an id; `undefined` when there is none. */
  async read(id: string): Promise<IndexEntry | undefined> {
    const stored = await this.#api.getMessage(this.#stream, {
      last_by_subj: this.#subjects.idEntry(id),
    });
    if (stored === undefined) return undefined;
    return decodeEntry(textOf(stored.data), stored.seq) ??
      { streamName: "", after: 0, entrySeq: stored.seq };
  }

  /**
   * Replaces an entry found stale (its id is not in the stream it names) with
   * one for `streamName`; resolves `false` when someone changed it first.
   */
  async takeOver(
    id: string,
    stale: IndexEntry,
    streamName: string,
    after: number,
  ): Promise<boolean> {
    try {
      await this.#api.publish(this.#subjects.idEntry(id), bytesOf(encodeEntry(streamName, after)), {
        expectedLastSubjectSequence: stale.entrySeq,
      });
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    }
  }
}
