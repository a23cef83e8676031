/**
 * Reads from EventStoreDB for the ordo store: a range of one stream, a
 * stream read, and a global read that walks $all keeping this store's
 * messages.
 *
 * @module
 */

import type { Position, ReadPosition } from "@eventstore/db-client";
import {
  categoryOf,
  type CheckedReadPageOptions,
  type CheckedReadStreamOptions,
  type RecordedMessage,
} from "../../core/mod.ts";
import type { EventStoreDbClient } from "./client.ts";
import { toRecordedMessage } from "./event_mapping.ts";
import { readStartFor } from "./global_position.ts";
import { pageSizeFor, toReadAllOptions, toReadStreamOptions } from "./read_options.ts";
import { type StreamNaming, toEventStoreStream } from "./stream_names.ts";
import { isStreamNotFound, translateError } from "./translate_error.ts";
import { collect, messagesOf, positionOf } from "./_events.ts";

/** The store's reads over one client and namespace. */
export class EsdbReads {
  readonly #client: EventStoreDbClient;
  readonly #naming: StreamNaming;

  constructor(client: EventStoreDbClient, naming: StreamNaming) {
    this.#client = client;
    this.#naming = naming;
  }

  /** A stream's messages as `readStream` returns them; empty when the stream does not exist. */
  async stream(streamName: string, checked: CheckedReadStreamOptions): Promise<RecordedMessage[]> {
    try {
      const events = await collect(
        this.#client.readStream(
          toEventStoreStream(this.#naming, streamName),
          toReadStreamOptions(checked),
        ),
      );
      return messagesOf(events.map((resolved) => resolved.event), this.#naming);
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw translateError(error, "readStream");
    }
  }

  /** Messages of one ordo stream from `from`, at most `count`; empty when the stream does not exist. */
  async range(streamName: string, from: number, count: number): Promise<RecordedMessage[]> {
    try {
      const events = await collect(
        this.#client.readStream(toEventStoreStream(this.#naming, streamName), {
          direction: "forwards",
          fromRevision: BigInt(from),
          maxCount: count,
        }),
      );
      return messagesOf(events.map((resolved) => resolved.event), this.#naming);
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
  }

  /** Walks $all forward in pages, keeping this store's messages that match. */
  async global(operation: string, options: CheckedReadPageOptions): Promise<RecordedMessage[]> {
    const { category, limit, types } = options;
    const pageSize = pageSizeFor(limit);
    const result: RecordedMessage[] = [];
    let start: ReadPosition = readStartFor(options.from);
    let below = options.from; // positions under this are skipped: the event a read starts at may precede `from`
    try {
      for (;;) {
        const page = await collect(
          this.#client.readAll(toReadAllOptions(start, "forward", pageSize)),
        );
        let last: Position | undefined;
        for (const { event } of page) {
          if (event === undefined) continue;
          last = event.position;
          const position = positionOf(event);
          if (position === undefined || position < below) continue;
          below = position + 1n;
          const message = toRecordedMessage(event, this.#naming);
          if (message === undefined) continue;
          if (category !== undefined && categoryOf(message.streamName) !== category) continue;
          if (types !== undefined && !types.includes(message.type)) continue;
          result.push(message);
          if (result.length === limit) return result;
        }
        if (page.length < pageSize || last === undefined) return result;
        start = last;
      }
    } catch (error) {
      throw translateError(error, operation);
    }
  }
}
