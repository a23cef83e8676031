/**
 * Reading a stream's messages in order over a short-lived consumer: one
 * consumer per scan (filtered by subject, in memory, one replica, no acks),
 * pulled up to the last matching message there was when the scan began,
 * deleted afterwards without waiting for the answer. The store's stream and
 * index reads and the key-value bucket's listings are scans.
 *
 * @module
 */

import { StoreUnavailableError } from "../../../core/mod.ts";
import { createConsumer, deleteConsumer, type PulledMessage, Puller } from "./consumer_pull.ts";
import type { JetStreamApi } from "./jetstream_api.ts";

/** A stream and how to reach it: the API, a puller and the stream's name. */
export interface RecordSource {
  readonly api: JetStreamApi;
  readonly puller: Puller;
  /** The JetStream stream read. */
  readonly stream: string;
}

/** What a scan reads. */
export interface ScanRange {
  /** A subject filter (wildcards allowed). */
  readonly filter: string;
  /** First stream sequence to read, from 1 (ignored with `lastPerSubject`). */
  readonly startSeq: number;
  /** Only the last message of each subject (a key-value bucket's current entries). */
  readonly lastPerSubject?: boolean;
  /** Messages asked for per pull. */
  readonly batch: number;
  /** Names the scan in errors ("readAll", …). */
  readonly operation: string;
}

const SECOND = 1_000_000_000;
// Milliseconds a pull may wait for messages known to be there.
const PULL_EXPIRES = 5000;

/**
 * Visits every message matching the range, in stream order, until `visit`
 * returns `false` or the last matching message there was when the scan began.
 *
 * @throws {StoreUnavailableError} when the consumer is lost mid-scan (a server restart)
 */
export async function scanMessages(
  source: RecordSource,
  range: ScanRange,
  visit: (message: PulledMessage) => boolean,
): Promise<void> {
  const { api, puller, stream } = source;
  // The scan reads up to the last matching message there is now. Counts are not
  // used to know when to stop: on 2.9.10 a consumer made while a publish lands
  // can count that message twice (num_pending one too high), and a pull then
  // waits for a message that never comes.
  const last = await api.getMessage(stream, { last_by_subj: range.filter });
  const startSeq = range.lastPerSubject ? 1 : Math.max(1, range.startSeq);
  if (last === undefined || last.seq < startSeq) return;
  const endSeq = last.seq;
  const name = `ordo_scan_${crypto.randomUUID().replaceAll("-", "")}`;
  await createConsumer(api, stream, {
    name,
    ...(range.lastPerSubject
      ? { deliver_policy: "last_per_subject" }
      : { deliver_policy: "by_start_sequence", opt_start_seq: startSeq }),
    ack_policy: "none",
    filter_subject: range.filter,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: 30 * SECOND,
  });
  try {
    let reached = startSeq - 1;
    let idle = 0;
    while (reached < endSeq) {
      let stopped = false;
      let received = 0;
      const asked = Math.min(Math.max(1, endSeq - reached), range.batch);
      const end = await puller.pull(
        stream,
        name,
        {
          batch: asked,
          expires: PULL_EXPIRES,
          heartbeat: 500,
        },
        (message) => {
          received++;
          if (stopped) return false;
          // Delivered in stream order: past the end means everything up to it came.
          if (message.seq > endSeq) {
            reached = endSeq;
            return false;
          }
          reached = message.seq;
          if (!visit(message)) stopped = true;
          // Fewer messages than asked for may match: do not wait for the rest.
          return !stopped && reached < endSeq;
        },
      );
      if (stopped) return;
      // A short pull may mean that what the scan waits for was removed (a
      // key-value bucket's purges): then nothing more is coming.
      if (
        received < asked && reached < endSeq && await removedPast(source, range.filter, reached)
      ) {
        return;
      }
      if (received > 0) idle = 0;
      else if (end === "gone" || end === "timeout" || ++idle > 1) {
        throw new StoreUnavailableError(
          range.operation,
          end === "gone"
            ? "the server dropped the read's consumer (a restart or a leader change); read again"
            : "the server did not deliver the messages of a read in time",
        );
      }
    }
  } finally {
    void deleteConsumer(api, stream, name);
  }
}

// Whether the filter holds nothing past `reached` now.
async function removedPast(source: RecordSource, filter: string, reached: number) {
  const last = await source.api.getMessage(source.stream, { last_by_subj: filter });
  return last === undefined || last.seq <= reached;
}
