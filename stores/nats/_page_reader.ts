// The one primitive of global reads: a page of messages in global order from
// a position, filtered by category (a subject filter, applied by the server)
// and by type (applied here: a type is inside the record, not in its
// subject). The store's readPage is this, and readAll and readCategory page
// through it.
//
// Pages are read through cursors: a consumer per filter that stays open
// between pages (it lives in the server's memory and goes by itself after 30
// s without a pull), with the messages it delivered past the last page kept
// for the next one. A reader that pages on from where it stopped (a catch-up,
// a consumer) then costs one message get (where the stream ends now) and one
// pull per page; any other `from` opens a new cursor.

import {
  type MessagePage,
  pageOf,
  type RecordedMessage,
  StoreUnavailableError,
} from "../../core/mod.ts";
import { decodeRecord, fromGlobalPosition, recordedMessages } from "./batch_record.ts";
import { createConsumer, deleteConsumer, type PulledMessage, textOf } from "./jetstream/mod.ts";
import type { RecordSource } from "./_scan.ts";

interface Cursor {
  readonly filter: string;
  readonly consumer: string;
  /** Position of the next message not yet looked at (returned or passed over by a type filter). */
  next: bigint;
  /**
   * The last page's `next` (past its last message) and its types: a page read
   * from there with the same types goes on from `next`, since what lies
   * between matched none of them.
   */
  pageNext: bigint;
  pageTypes: string;
  /** Messages delivered, in order; those from `head` on are not yet returned (from `next` on). */
  buffer: RecordedMessage[];
  head: number;
  /** Bytes of records received, to size pulls. */
  bytes: number;
  /** The last stream sequence delivered. */
  reached: number;
  /** Average messages per record so far, to size pulls. */
  perRecord: number;
  records: number;
  messages: number;
  /** What the server said was still waiting after the last record delivered (a hint: see `receive`). */
  pending: number;
  /** The next page's records, asked for while the caller handles this one. */
  ahead: Promise<void> | undefined;
  usedAt: number;
  busy: boolean;
}

const SECOND = 1_000_000_000;
// A cursor unused this long may have been removed by the server (30 s): not reused.
const FRESH_MS = 20_000;
const MAX_CURSORS = 8;
// Milliseconds a pull may stay open: it asks only for records that are there,
// so a longer wait means the consumer is gone.
const PULL_EXPIRES = 2000;
// Milliseconds between the server's heartbeats on an open pull.
const PULL_HEARTBEAT = 500;
// About the most record bytes one pull asks for.
const PULL_BYTES = 8 * 1024 * 1024;

/** The cursors of one store. */
export class PageReader {
  readonly #source: RecordSource;
  readonly #cursors = new Map<string, Cursor>();

  constructor(source: RecordSource) {
    this.#source = source;
  }

  /**
   * Reads up to `limit` messages from `filter` (a subject filter) from `from`,
   * in global order. A page is short only when it reached the end of the
   * filter's messages as they were when it was read.
   */
  async read(
    filter: string,
    types: readonly string[] | undefined,
    from: bigint,
    limit: number,
    operation: string,
  ): Promise<MessagePage> {
    let cursor = this.#take(filter, types, from);
    const reused = cursor.consumer !== "";
    try {
      try {
        return await this.#fill(cursor, types, from, limit, operation);
      } catch (error) {
        // A page that failed may have taken messages off the cursor's buffer
        // already: the cursor is never used again, or they would be skipped.
        void this.#drop(cursor);
        if (!reused || !(error instanceof StoreUnavailableError)) throw error;
        // A cursor the server dropped (a restart, a leader change): once more with a new one.
        cursor = this.#take(filter, types, from);
        return await this.#fill(cursor, types, from, limit, operation);
      }
    } finally {
      cursor.busy = false;
      cursor.usedAt = performance.now();
      // A second reader of the same filter at once got a cursor of its own: not kept.
      if (this.#cursors.get(filter) !== cursor) void this.#drop(cursor);
    }
  }

  // The cursor at `from` for this filter, or a new one starting there.
  #take(filter: string, types: readonly string[] | undefined, from: bigint): Cursor {
    const known = this.#cursors.get(filter);
    if (
      known !== undefined && !known.busy &&
      (known.next === from || (known.pageNext === from && known.pageTypes === typesKey(types))) &&
      performance.now() - known.usedAt < FRESH_MS
    ) {
      known.busy = true;
      return known;
    }
    if (known !== undefined && !known.busy) void this.#drop(known);
    const start = fromGlobalPosition(from);
    const cursor: Cursor = {
      filter,
      consumer: "",
      next: from,
      pageNext: from,
      pageTypes: "",
      buffer: [],
      head: 0,
      bytes: 0,
      reached: Math.max(1, start.seq) - 1,
      perRecord: 1,
      records: 0,
      messages: 0,
      pending: 0,
      ahead: undefined,
      usedAt: performance.now(),
      busy: true,
    };
    if (known === undefined || !known.busy) this.#remember(cursor);
    return cursor;
  }

  #remember(cursor: Cursor): void {
    this.#cursors.set(cursor.filter, cursor);
    if (this.#cursors.size > MAX_CURSORS) {
      const oldest = [...this.#cursors.values()].find((c) => !c.busy);
      if (oldest !== undefined) void this.#drop(oldest);
    }
  }

  async #fill(
    cursor: Cursor,
    types: readonly string[] | undefined,
    from: bigint,
    limit: number,
    operation: string,
  ): Promise<MessagePage> {
    const messages: RecordedMessage[] = [];
    let next = cursor.next;
    const take = () => {
      const buffer = cursor.buffer;
      let i = cursor.head;
      for (; i < buffer.length && messages.length < limit; i++) {
        const message = buffer[i];
        next = message.globalPosition + 1n;
        if (types === undefined || types.includes(message.type)) messages.push(message);
      }
      if (i === buffer.length) {
        cursor.buffer = [];
        cursor.head = 0;
      } else if (i > 4096 && i > buffer.length / 2) {
        cursor.buffer = buffer.slice(i);
        cursor.head = 0;
      } else cursor.head = i;
    };
    take();
    if (messages.length < limit && cursor.ahead !== undefined) {
      await cursor.ahead;
      take();
    }
    if (messages.length < limit) {
      // Where the filter's messages end now: the page reads up to there.
      const last = await this.#source.api.getMessage(this.#source.stream, {
        last_by_subj: cursor.filter,
      });
      const endSeq = last?.seq ?? 0;
      // Records still owed to an earlier pull may have come in meanwhile, up to
      // the end even: taken now, or the page would end short of them.
      take();
      while (messages.length < limit && cursor.reached < endSeq) {
        await this.#pull(cursor, limit - messages.length, endSeq, operation);
        take();
      }
    }
    cursor.next = next;
    const page = pageOf(messages, from, limit);
    cursor.pageNext = page.next;
    cursor.pageTypes = typesKey(types);
    // Far from the end, ask for the next pages now, as a consumer reading on would.
    // At most half of what the server says is waiting: on 2.9.10 that count can
    // run ahead of the stream, and a pull for records that are not there waits.
    // Up to four pages are kept ahead, so a reader paging on seldom waits for the server.
    const buffered = cursor.buffer.length - cursor.head;
    if (cursor.ahead === undefined && cursor.pending >= 4 && buffered < 4 * limit) {
      const bound = cursor.reached + Math.floor(cursor.pending / 2);
      const ahead: Promise<void> = this.#pull(
        cursor,
        4 * limit - buffered,
        bound,
        operation,
      )
        .catch(() => {})
        .finally(() => {
          if (cursor.ahead === ahead) cursor.ahead = undefined;
        });
      cursor.ahead = ahead;
    }
    return page;
  }

  // Pulls about enough records for `wanted` messages (records hold one or more) into the buffer.
  async #pull(cursor: Cursor, wanted: number, endSeq: number, operation: string): Promise<void> {
    const { api, puller, stream } = this.#source;
    if (cursor.consumer === "") {
      const name = `ordo_page_${crypto.randomUUID().replaceAll("-", "")}`;
      // A pull asks for up to `batch` records, and fewer may match: the server then
      // answers the rest of it later, while no pull waits. Those come here too.
      puller.adopt(name, (message) => void receive(cursor, message));
      (cursor as { consumer: string }).consumer = name;
      await createConsumer(api, stream, {
        name,
        deliver_policy: "by_start_sequence",
        opt_start_seq: cursor.reached + 1,
        ack_policy: "none",
        filter_subject: cursor.filter,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: 30 * SECOND,
      });
    }
    // Records asked for: enough for `wanted` messages at the records' average size
    // (a few to begin with), within what there is and about 8 MB.
    const perRecordBytes = cursor.records === 0 ? 0 : cursor.bytes / cursor.records;
    const batch = Math.max(
      1,
      Math.min(
        endSeq - cursor.reached,
        cursor.records === 0 ? Math.min(wanted, 16) : Math.ceil(wanted / cursor.perRecord),
        perRecordBytes === 0 ? 1000 : Math.floor(PULL_BYTES / perRecordBytes),
        1000,
      ),
    );
    const before = cursor.reached;
    const end = await puller.pull(
      stream,
      cursor.consumer,
      { batch, expires: PULL_EXPIRES, heartbeat: PULL_HEARTBEAT },
      (message) => {
        receive(cursor, message);
        return cursor.reached < endSeq;
      },
    );
    if (cursor.reached === before && end !== "complete") {
      throw new StoreUnavailableError(
        operation,
        end === "gone"
          ? "the server dropped the read's consumer (a restart or a leader change); read again"
          : "the server did not deliver the messages of a read in time",
      );
    }
  }

  #drop(cursor: Cursor): Promise<void> {
    this.#forget(cursor);
    if (cursor.consumer === "") return Promise.resolve();
    return deleteConsumer(this.#source.api, this.#source.stream, cursor.consumer);
  }

  #forget(cursor: Cursor): void {
    if (this.#cursors.get(cursor.filter) === cursor) this.#cursors.delete(cursor.filter);
    if (cursor.consumer !== "") this.#source.puller.forget(cursor.consumer);
  }

  /**
   * Drops every cursor, deleting their consumers; while the connection is
   * reconnecting, leaves them to the server, which removes them after 30 s
   * without a pull: a delete would wait for the connection, up to the
   * request timeout (Ctrl-C on `ordo tail` with the server away took 5 s).
   */
  async close(): Promise<void> {
    const cursors = [...this.#cursors.values()];
    if (this.#source.api.outages.down) {
      for (const cursor of cursors) this.#forget(cursor);
      return;
    }
    await Promise.all(cursors.map((cursor) => this.#drop(cursor)));
  }
}

// One delivered record into the cursor's buffer, from the cursor's position on.
function receive(cursor: Cursor, message: PulledMessage): void {
  if (message.seq <= cursor.reached) return; // delivered twice: already read
  cursor.reached = message.seq;
  cursor.pending = message.pending;
  const record = decodeRecord(textOf(message.data));
  if (record === undefined) return;
  const from = fromGlobalPosition(cursor.next);
  // The first record read may start before the cursor's position.
  const skip = cursor.buffer.length === 0 && message.seq === from.seq ? from.index : 0;
  for (const m of recordedMessages(record, message.seq, skip)) cursor.buffer.push(m);
  cursor.records++;
  cursor.bytes += message.data.length;
  cursor.messages += record.messages.length;
  cursor.perRecord = Math.max(1, cursor.messages / cursor.records);
}

// The types of a page, as one comparable string.
function typesKey(types: readonly string[] | undefined): string {
  return types === undefined ? "" : JSON.stringify(types);
}
