// The one primitive of global reads: a page of messages in global order from
// a position, filtered by category (a subject filter, applied by the server)
// and by type (applied here: a type is inside the record, not in its
// subject). readAll and readCategory are both this page.

import type { RecordedMessage } from "../../core/mod.ts";
import { fromGlobalPosition, recordedMessages } from "./batch_record.ts";
import { type RecordSource, scanRecords } from "./_scan.ts";
import type { StoreSubjects } from "./subjects.ts";

/** Which messages a global read returns. */
export interface PageFilter {
  readonly category?: string;
  readonly types?: readonly string[];
}

/** One page and where the next one starts. */
export interface Page {
  readonly messages: readonly RecordedMessage[];
  /**
   * The position to read the next page from: past the last message returned
   * when the page is full, past everything read otherwise (so a type-filtered
   * page that matched nothing still moves on).
   */
  readonly next: bigint;
}

/**
 * Reads up to `limit` messages matching `filter` from `from` (inclusive), in
 * global order.
 */
export async function readPage(
  source: RecordSource,
  subjects: StoreSubjects,
  filter: PageFilter,
  from: bigint,
  limit: number,
  operation: string,
): Promise<Page> {
  const start = fromGlobalPosition(from);
  const types = filter.types;
  const messages: RecordedMessage[] = [];
  let next = from;
  await scanRecords(source, {
    filter: filter.category === undefined ? subjects.all : subjects.category(filter.category),
    startSeq: Math.max(1, start.seq),
    // Each record holds at least one message: asking for more than `limit` would over-read.
    batch: types === undefined ? Math.min(limit, 1000) : 1000,
    operation,
  }, (seq, record) => {
    const skip = seq === start.seq ? start.index : 0;
    for (const message of recordedMessages(record, seq, skip)) {
      next = message.globalPosition + 1n;
      if (types !== undefined && !types.includes(message.type)) continue;
      messages.push(message);
      if (messages.length === limit) return false;
    }
    return true;
  });
  return { messages, next };
}
