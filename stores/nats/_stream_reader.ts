// Reading one ordo stream (one subject). The stream's last record comes from
// a message get by `last_by_subj`; each record names the sequence of the
// stream's previous one, so short reads walk back along those links, one get
// per record, and long forward reads scan the subject with a consumer.

import type { RecordedMessage } from "../../core/mod.ts";
import { type BatchRecord, decodeRecord, lastVersionOf, recordedMessages } from "./batch_record.ts";
import { textOf } from "./jetstream/mod.ts";
import { type RecordSource, scanRecords } from "./_scan.ts";
import type { StoreSubjects } from "./subjects.ts";

/** A record and its stream sequence. */
export interface Located {
  readonly seq: number;
  readonly record: BatchRecord;
}

// Records a read walks back along links before it scans with a consumer instead.
const WALK = 4;

/** Reads of single streams. */
export class StreamReader {
  readonly #source: RecordSource;
  readonly #subjects: StoreSubjects;

  constructor(source: RecordSource, subjects: StoreSubjects) {
    this.#source = source;
    this.#subjects = subjects;
  }

  /** The stream's last record; `undefined` when it has none. */
  async last(streamName: string): Promise<Located | undefined> {
    return this.#get({ last_by_subj: this.#subjects.stream(streamName) });
  }

  /** The record at a stream sequence. */
  async at(seq: number): Promise<Located | undefined> {
    return this.#get({ seq });
  }

  /** The first record of a stream at or after a stream sequence. */
  async next(streamName: string, seq: number): Promise<Located | undefined> {
    return this.#get({ seq, next_by_subj: this.#subjects.stream(streamName) });
  }

  async #get(
    query: { seq: number } | { last_by_subj: string } | { seq: number; next_by_subj: string },
  ): Promise<Located | undefined> {
    const stored = await this.#source.api.getMessage(this.#source.stream, query);
    if (stored === undefined) return undefined;
    const record = decodeRecord(textOf(stored.data));
    return record === undefined ? undefined : { seq: stored.seq, record };
  }

  /** Messages from version `from` on, at most `limit`. */
  async forward(streamName: string, from: number, limit: number): Promise<RecordedMessage[]> {
    const last = await this.last(streamName);
    if (last === undefined || from > lastVersionOf(last.record)) return [];
    const chain: Located[] = [last];
    let first = last;
    while (first.record.firstVersion > from && first.record.previous > 0 && chain.length < WALK) {
      const previous = await this.at(first.record.previous);
      if (previous === undefined) break;
      chain.unshift(previous);
      first = previous;
    }
    if (first.record.firstVersion > from && first.record.previous > 0) {
      return await this.#scanForward(streamName, from, limit, last.seq);
    }
    const result: RecordedMessage[] = [];
    for (const { seq, record } of chain) {
      const skip = Math.max(0, from - record.firstVersion);
      for (const message of recordedMessages(record, seq, skip)) {
        if (result.length === limit) return result;
        result.push(message);
      }
    }
    return result;
  }

  async #scanForward(
    streamName: string,
    from: number,
    limit: number,
    lastSeq: number,
  ): Promise<RecordedMessage[]> {
    const result: RecordedMessage[] = [];
    await scanRecords(this.#source, {
      filter: this.#subjects.stream(streamName),
      startSeq: 1,
      batch: 256,
      operation: "readStream",
    }, (seq, record) => {
      if (lastVersionOf(record) >= from) {
        const skip = Math.max(0, from - record.firstVersion);
        for (const message of recordedMessages(record, seq, skip)) {
          if (result.length === limit) return false;
          result.push(message);
        }
      }
      return seq < lastSeq && result.length < limit;
    });
    return result;
  }

  /** Messages from version `from` (default: the last) back to version 0, at most `limit`. */
  async backward(
    streamName: string,
    from: number | undefined,
    limit: number,
  ): Promise<RecordedMessage[]> {
    let current = await this.last(streamName);
    const result: RecordedMessage[] = [];
    while (current !== undefined && result.length < limit) {
      const { seq, record } = current;
      const messages = recordedMessages(record, seq);
      for (let i = messages.length - 1; i >= 0 && result.length < limit; i--) {
        if (from === undefined || messages[i].streamVersion <= from) result.push(messages[i]);
      }
      if (record.previous === 0) break;
      current = await this.at(record.previous);
    }
    return result;
  }

  /**
   * The record of `streamName` holding message `id`, looking at the records
   * after stream sequence `after`; `undefined` when it is not there.
   */
  async findRecord(streamName: string, id: string, after: number): Promise<Located | undefined> {
    let seq = after + 1;
    for (let step = 0; step < WALK; step++) {
      const next = await this.next(streamName, seq);
      if (next === undefined) return undefined;
      if (holds(next.record, id)) return next;
      seq = next.seq + 1;
    }
    let found: Located | undefined;
    await scanRecords(this.#source, {
      filter: this.#subjects.stream(streamName),
      startSeq: seq,
      batch: 256,
      operation: "append",
    }, (recordSeq, record) => {
      if (holds(record, id)) found = { seq: recordSeq, record };
      return found === undefined;
    });
    return found;
  }
}

function holds(record: BatchRecord, id: string): boolean {
  return record.messages.some((entry) => entry[0] === id);
}
