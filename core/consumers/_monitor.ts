// What a consumer knows about itself: the progress of each partition it
// runs, its last failure, and the callers waiting for it to reach a position.
// Always on (the status API needs no telemetry); the hot path pays a few
// field writes per message and one check for waiters.

import { ClosedError, TimeoutError } from "../errors.ts";
import type { RecordedMessage } from "../message.ts";
import { PositionWaiters } from "../position_waiters.ts";
import type { ConsumerErrorContext } from "./handler.ts";
import { PartitionProgress } from "./_partition_progress.ts";
import { storedErrorName } from "./_stored_error_name.ts";
import type { ParkedSummary } from "./storage.ts";
import type {
  ConsumerErrorStatus,
  ConsumerState,
  ConsumerStatus,
  WaitForOptions,
} from "./status.ts";

/** The progress of a consumer's partitions, and its waiters. */
export class ConsumerMonitor {
  readonly #partitions = new Map<number, PartitionProgress>();
  readonly #waiters = new PositionWaiters();
  /** The partitions it should hold (set by a group member at each heartbeat). */
  #expected: readonly number[] = [0];
  #lastError: ConsumerErrorStatus | undefined;
  #stopped = false;
  #stoppedBy: ConsumerStatus["stoppedBy"];
  /** The last head and parked count a status read, and the highest position a partition reached. */
  #known: { head: bigint; parked: ParkedSummary } = { head: 0n, parked: { count: 0 } };
  readonly #onAdvance = () => this.#check();

  /** Starts tracking a partition its loop is about to run. */
  start(partition: number): PartitionProgress {
    const progress = new PartitionProgress(partition, this.#onAdvance);
    this.#partitions.set(partition, progress);
    return progress;
  }

  /** A partition's loop ended (stopped, or handed to another member). */
  end(progress: PartitionProgress): void {
    progress.state = "stopped";
    if (progress.position > this.#known.head) this.#known.head = progress.position;
    if (this.#partitions.get(progress.partition) === progress) {
      this.#partitions.delete(progress.partition);
    }
    this.#check();
  }

  /** The partitions it should hold, ascending. */
  expect(partitions: readonly number[]): void {
    this.#expected = partitions;
    this.#check();
  }

  /** The progress of the partitions running now, ascending. */
  running(): PartitionProgress[] {
    return [...this.#partitions.values()].sort((a, b) => a.partition - b.partition);
  }

  /** The consumer's last failure, of any partition or of the member itself. */
  get lastError(): ConsumerErrorStatus | undefined {
    return this.#lastError;
  }

  /** Whether the consumer has stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** What ended the consumer, when an error did. */
  get stoppedBy(): ConsumerStatus["stoppedBy"] {
    return this.#stoppedBy;
  }

  /** The head and parked count a status read last (the head at least every position reached). */
  get known(): { readonly head: bigint; readonly parked: ParkedSummary } {
    return this.#known;
  }

  /** A status read the head and the parked count: kept for a status once they cannot be read. */
  read(head: bigint, parked: ParkedSummary): void {
    this.#known = { head: head > this.#known.head ? head : this.#known.head, parked };
  }

  /** Records a failure reported to `onError`. */
  failed(error: unknown, context: ConsumerErrorContext): void {
    const message: RecordedMessage | undefined = context.message;
    const entry: ConsumerErrorStatus = {
      phase: context.phase,
      ...storedErrorName(error),
      at: new Date().toISOString(),
      ...(message === undefined ? {} : { messageId: message.id }),
      ...(context.attempt === undefined ? {} : { attempt: context.attempt }),
    };
    this.#lastError = entry;
    this.#partitions.get(context.partition)?.failed(entry);
  }

  /** The consumer stopped (`reason`: the error that ended it, if one did): every wait still pending rejects. */
  stop(reason?: { readonly error: unknown }): void {
    this.#stopped = true;
    if (reason !== undefined) {
      this.#stoppedBy = { ...storedErrorName(reason.error), at: new Date().toISOString() };
    }
    this.#waiters.close();
  }

  /**
   * Resolves once every partition it should hold runs here and has dealt
   * with every message up to `position`.
   *
   * @throws {TimeoutError} when `timeout` passes first
   * @throws the signal's reason when it aborts first
   * @throws {ClosedError} when the consumer stops first
   */
  async waitFor(position: bigint, options: WaitForOptions, what: string): Promise<void> {
    const target = position - 1n;
    const reached = await this.#waiters.wait(target, this.#lowest(), options);
    if (reached) return;
    if (this.#stopped) {
      throw new ClosedError("consumer", `wait for ${what} to reach position ${position}`);
    }
    throw new TimeoutError(`${what} reaching position ${position}`, options.timeout ?? Infinity);
  }

  /** The lowest position of the partitions it should hold; -1 while one of them is not running here. */
  #lowest(): bigint {
    let lowest: bigint | undefined;
    for (const partition of this.#expected) {
      const progress = this.#partitions.get(partition);
      if (progress === undefined) return -1n;
      if (lowest === undefined || progress.position < lowest) lowest = progress.position;
    }
    return lowest ?? BigInt(Number.MAX_SAFE_INTEGER);
  }

  #check(): void {
    if (this.#waiters.size > 0) this.#waiters.notify(this.#lowest());
  }
}

/** A member's state from its partitions': the worst of them, `standby` with none. */
export function overallState(
  partitions: readonly { readonly state: ConsumerState }[],
  stopped: boolean,
): ConsumerState {
  if (stopped) return "stopped";
  if (partitions.length === 0) return "standby";
  const order: ConsumerState[] = ["retrying", "starting", "catching-up", "live"];
  for (const state of order) if (partitions.some((p) => p.state === state)) return state;
  return "stopped";
}
