/**
 * The id index on the server: for each message id, a stream of one event
 * saying where the message is stored, so that a retried append finds what an
 * earlier attempt stored (docs/decisions/eventstoredb.md, "Idempotent
 * append"). What the entries say is in id_index.ts; this file reads and
 * writes them.
 *
 * @module
 */

import type { Message, RecordedMessage } from "../../core/mod.ts";
import type { EventStoreDbClient } from "./client.ts";
import { toAppendOptions } from "./expected_revision.ts";
import { fromIndexEvent, type IndexEntry, rangesToConfirm, toIndexEvent } from "./id_index.ts";
import { idIndexStream, type StreamNaming } from "./stream_names.ts";
import { isStreamNotFound, isWrongExpectedVersion } from "./translate_error.ts";
import { collect } from "./_events.ts";
import type { EsdbReads } from "./_reads.ts";

/** Index entries of one store's messages: found for a batch, written after an append. */
export class IdIndexStore {
  readonly #client: EventStoreDbClient;
  readonly #naming: StreamNaming;
  readonly #reads: EsdbReads;

  constructor(client: EventStoreDbClient, naming: StreamNaming, reads: EsdbReads) {
    this.#client = client;
    this.#naming = naming;
    this.#reads = reads;
  }

  /** Reads the index entries of a batch and confirms them; `undefined` when no id is indexed. */
  async find(
    checked: readonly Message[],
  ): Promise<{ found: RecordedMessage[]; indexed: boolean[] } | undefined> {
    const entries = await Promise.all(checked.map((m) => this.#readEntry(m.id)));
    if (entries.every((entry) => entry === undefined)) return undefined;
    const found: RecordedMessage[] = [];
    for (const [stream, range] of rangesToConfirm(entries, checked.length)) {
      found.push(...await this.#reads.range(stream, range.from, range.count));
    }
    return { found, indexed: entries.map((entry) => entry !== undefined) };
  }

  async #readEntry(id: string): Promise<IndexEntry | undefined> {
    try {
      const events = await collect(
        this.#client.readStream(idIndexStream(this.#naming, id), {
          fromRevision: "start",
          maxCount: 1,
        }),
      );
      return fromIndexEvent(events[0]?.event);
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Records in the id index where each message is stored (all in `streamName`). */
  async write(
    streamName: string,
    messages: readonly Message[],
    positions: readonly { id: string; streamVersion: number }[],
  ): Promise<void> {
    const versions = new Map(positions.map((p) => [p.id, p.streamVersion]));
    await Promise.all(messages.map(async (m) => {
      const streamVersion = versions.get(m.id);
      if (streamVersion === undefined) return;
      try {
        await this.#client.appendToStream(
          idIndexStream(this.#naming, m.id),
          toIndexEvent(m.id, { streamName, streamVersion }),
          toAppendOptions("no-stream"),
        );
      } catch (error) {
        // Already indexed (by an earlier attempt, or a concurrent writer): the first entry stands.
        if (!isWrongExpectedVersion(error)) throw error;
      }
    }));
  }
}
