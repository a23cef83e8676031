// Where one partition's loop is, kept as it works: a few field writes per
// message, read only when someone asks for the status.

import type { RecordedMessage } from "../message.ts";
import type { ConsumerErrorStatus, ConsumerState, PartitionStatus } from "./status.ts";

/** The progress of one partition (partition 0 for a consumer without partitions). */
export class PartitionProgress {
  state: ConsumerState = "starting";
  /** Global position up to which every message of the source has been dealt with. */
  position = 0n;
  lastError: ConsumerErrorStatus | undefined;
  /** Write time of the message in hand (a handler is running on it). */
  #inHand: string | undefined;
  /** Write time of the last message dealt with. */
  #lastDone: string | undefined;
  /** The state to go back to once a failure has passed. */
  #resume: ConsumerState = "catching-up";
  readonly #advanced: () => void;

  /** `advanced` runs whenever `position` moves (the consumer's waiters check it). */
  constructor(readonly partition: number, advanced: () => void) {
    this.#advanced = advanced;
  }

  /** The checkpoint is loaded: a global position (`all`, category) or a stream version. */
  loaded(checkpoint: bigint, global: boolean): void {
    if (global && checkpoint > 0n) this.#advance(checkpoint - 1n);
    this.state = "catching-up";
  }

  /** A handler is about to run on `message`: everything before it is dealt with. */
  handling(message: RecordedMessage): void {
    this.#inHand = message.metadata.timestamp;
    this.#advance(message.globalPosition - 1n);
  }

  /** `message` was handled, parked or skipped (another partition's). */
  passed(message: RecordedMessage): void {
    this.#lastDone = message.metadata.timestamp;
    this.#inHand = undefined;
    this.#advance(message.globalPosition);
    this.recovered();
  }

  /** A short page was read after the head: everything up to `head` is dealt with. */
  caughtUp(head: bigint): void {
    this.#advance(head);
    this.#resume = "live";
    if (this.state !== "retrying") this.state = "live";
  }

  /** A full page was read: behind the head. */
  behind(): void {
    this.#resume = "catching-up";
    if (this.state === "live") this.state = "catching-up";
  }

  /** A failure that will be retried. */
  failed(error: ConsumerErrorStatus): void {
    this.lastError = error;
    if (this.state !== "stopped" && this.state !== "starting") this.state = "retrying";
  }

  /** Work succeeded again after a failure. */
  recovered(): void {
    if (this.state === "retrying") this.state = this.#resume;
  }

  /** This partition's status against `head`, at `now` (ms since the epoch). */
  status(head: bigint, now: number): PartitionStatus {
    const lag = head > this.position ? Number(head - this.position) : 0;
    const since = this.#inHand ?? this.#lastDone;
    const lagSeconds = lag === 0 || since === undefined
      ? 0
      : Math.max(0, (now - Date.parse(since)) / 1000);
    const status: PartitionStatus = {
      partition: this.partition,
      state: this.state,
      position: this.position,
      lag,
      lagSeconds,
    };
    return this.lastError === undefined ? status : { ...status, lastError: this.lastError };
  }

  #advance(position: bigint): void {
    if (position <= this.position) return;
    this.position = position;
    this.#advanced();
  }
}
