/**
 * What a running consumer can say about itself, as plain data: where each
 * partition is, how far behind the store's head, whether it is live,
 * retrying or stopped, its last error and how many messages its group has
 * parked. No OpenTelemetry needed: `consumer.status()` answers it, and the
 * same shapes are what a console reads for consumers in other processes.
 *
 * Positions here are global positions whatever the source: `position` is
 * the one up to which the partition has dealt with every message of its
 * source (handled, parked, or another partition's to handle), so a caller
 * that appended at position p can wait for the consumer to reach p
 * (`consumer.waitFor(p)`) and read its own write from the projection.
 *
 * @module
 */

/**
 * Where a consumer or a partition is:
 * - `starting`: loading its checkpoint;
 * - `catching-up`: reading full pages, behind the head;
 * - `live`: has read everything there was, and follows new appends;
 * - `retrying`: a handler, a read or a commit failed and will be tried again;
 * - `standby`: a group member that holds no partition (others hold them all);
 * - `stopped`: stopped, for good.
 */
export type ConsumerState =
  | "starting"
  | "catching-up"
  | "live"
  | "retrying"
  | "standby"
  | "stopped";

/** The last failure a consumer or partition reported, as plain data. */
export interface ConsumerErrorStatus {
  /** Where it happened (see `ConsumerErrorContext.phase`). */
  readonly phase: "handler" | "store" | "storage" | "onParked";
  /** The error's `_tag` (ordo's errors) or `name`. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
  /** ISO 8601, when it was reported. */
  readonly at: string;
  /** The message whose handling failed, when there was one. */
  readonly messageId?: string;
  /** The handler attempt that failed, when there was one. */
  readonly attempt?: number;
}

/** One partition of a consumer (partition 0 for a consumer without partitions). */
export interface PartitionStatus {
  /** The partition, from 0. */
  readonly partition: number;
  /** What it is doing. */
  readonly state: ConsumerState;
  /** Global position up to which every message of the source has been dealt with. */
  readonly position: bigint;
  /** Global positions between the head and `position`: an upper bound on messages still to process. */
  readonly lag: number;
  /** Seconds since the oldest message read and not yet processed was written; 0 when caught up. */
  readonly lagSeconds: number;
  /** Its last failure, if it had one since it started. */
  readonly lastError?: ConsumerErrorStatus;
}

/** A consumer's (or a group member's) status at one moment. */
export interface ConsumerStatus {
  /** The consumer group. */
  readonly group: string;
  /** A group member's name; absent for a consumer without partitions. */
  readonly member?: string;
  /** For a member: `live` only when every partition it holds is; the worst state of them otherwise. */
  readonly state: ConsumerState;
  /** The lowest `position` of the partitions it holds (the head when it holds none). */
  readonly position: bigint;
  /** The store's head global position, read for this status. */
  readonly head: bigint;
  /** The largest lag of the partitions it holds, in global positions. */
  readonly lag: number;
  /** The largest lag of the partitions it holds, in seconds. */
  readonly lagSeconds: number;
  /** The most recent failure of any of its partitions (or of a member's heartbeat). */
  readonly lastError?: ConsumerErrorStatus;
  /** Messages its group has parked, all partitions and members together. */
  readonly parked: number;
  /** ISO 8601, when the group's oldest parked message was parked; absent when none is. */
  readonly oldestParkedAt?: string;
  /** The partitions it holds now, ascending (`[0]` for a consumer without partitions). */
  readonly partitions: readonly PartitionStatus[];
  /**
   * Why it stopped, when something other than `stop()` or its signal ended it:
   * what it reads or writes was closed (a `ClosedError`: the store's or the
   * storage's `close()`, or their connection closed for good), or an error
   * retrying cannot fix (then `lastError` too). `at` is when it stopped.
   */
  readonly stoppedBy?: { readonly name: string; readonly message: string; readonly at: string };
  /**
   * Only for a stopped consumer whose store or storage can no longer be read
   * (closed): what this status could not read and why. `head` and `parked`
   * are then the last it knew: the head it last read (at least the position
   * it reached), the parked count it last read (0 if it never read one).
   */
  readonly unread?: string;
  /** ISO 8601, when this status was taken. */
  readonly at: string;
}

/** Options of `consumer.waitFor`. */
export interface WaitForOptions {
  /** Milliseconds before it rejects with a `TimeoutError`. Default: no limit. */
  readonly timeout?: number;
  /** Stops waiting: it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}
