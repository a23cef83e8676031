// Reading batch records in stream order: a scan of the store's stream
// (jetstream/scan.ts) whose messages are decoded as records.

import { type BatchRecord, decodeRecord } from "./batch_record.ts";
import { type RecordSource, scanMessages, type ScanRange, textOf } from "./jetstream/mod.ts";

export type { RecordSource };

/**
 * Visits every record matching the range, in stream order, until `visit`
 * returns `false` or the last record there was when the scan began.
 *
 * @throws {StoreUnavailableError} when the consumer is lost mid-scan (a server restart)
 */
export async function scanRecords(
  source: RecordSource,
  range: ScanRange,
  visit: (seq: number, record: BatchRecord) => boolean,
): Promise<void> {
  await scanMessages(source, range, (message) => {
    const record = decodeRecord(textOf(message.data));
    return record === undefined || visit(message.seq, record);
  });
}
