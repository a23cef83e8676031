// The read loop of one partition (or of a consumer without partitions): catch
// up from the checkpoint in bounded pages, then follow live, woken by the
// store's waitForAppend rather than by polling.

import type { EventStore } from "../event_store.ts";
import type { RecordedMessage } from "../message.ts";
import { backoffDelay } from "./backoff.ts";
import { deliver } from "./_deliver.ts";
import { deliverInPages } from "./_deliver_page.ts";
import { type DeliveryEnv, isFatal, retryable, worked } from "./_delivery_env.ts";
import type { PartitionProgress } from "./_partition_progress.ts";
import { partitionOf } from "./partition.ts";
import { sleep } from "../_sleep.ts";
import { type ConsumerSource, positionAfter, readSourcePage } from "./source.ts";
import type { LeaseFence } from "./storage.ts";
import type { ConsumerStart } from "./_options.ts";
import { startPosition } from "./_start.ts";

/** One partition's loop. */
export interface RunnerOptions<Tx> {
  readonly env: DeliveryEnv<Tx>;
  readonly store: EventStore;
  readonly source: ConsumerSource;
  readonly partition: number;
  /** Set for a group: only messages of streams hashing to `partition` are handled. */
  readonly partitions?: number;
  readonly batchSize: number;
  /** Where to start while the partition has no checkpoint (see `CreateConsumerOptions.from`). */
  readonly from: ConsumerStart;
  readonly lease?: LeaseFence;
  /** Asked before each message: false when the lease may have run out, which ends the loop as fenced. */
  readonly holdsLease?: () => boolean;
  readonly signal: AbortSignal;
}

/** Why a loop ended: asked to stop, its lease was lost, or the store closed. */
export type RunnerEnd = "stopped" | "fenced" | "closed";

/** Runs until the signal aborts (after the handler in progress), the lease is lost, or the store closes. */
export function runPartition<Tx>(options: RunnerOptions<Tx>): Promise<RunnerEnd> {
  return new PartitionLoop(options).run();
}

/** A page of the source, and the head read before it (near the tail only). */
interface SourcePage {
  readonly messages: RecordedMessage[];
  readonly head: bigint | undefined;
}

/** A page read ahead: where it starts, and its messages or the read's error. */
interface ReadAhead {
  readonly from: bigint;
  readonly read: Promise<{ readonly messages: RecordedMessage[] } | { readonly error: unknown }>;
}

/** What a step that may end the loop returns: `undefined` to go on. */
type Step = undefined | RunnerEnd;

/** How a page's delivery went: the messages it handled or parked, and why it ended early, if it did. */
interface PageDone {
  readonly handled: number;
  readonly end?: RunnerEnd;
}

class PartitionLoop<Tx> {
  readonly #o: RunnerOptions<Tx>;
  /** Where the next read starts. */
  #next = 0n;
  /** The stored checkpoint; behind #next after skipping other partitions' messages. */
  #committed = 0n;
  /**
   * The global head up to which this source has been read to the end: the
   * position to wait past. A category or stream checkpoint cannot serve, since
   * other streams' messages move the head past it and the wait would return at once.
   */
  #scanned = -1n;
  /** Whether the next read is near the tail, and so reads the head first. */
  #nearHead = true;
  /** Store and storage failures in a row, which pace the retries. */
  #failures = 0;
  /** What the status API reports of this partition. */
  readonly #progress: PartitionProgress;
  /** The page after the one being handled, read meanwhile (catching up only). */
  #ahead: ReadAhead | undefined;

  constructor(options: RunnerOptions<Tx>) {
    this.#o = options;
    this.#progress = options.env.monitor.start(options.partition);
  }

  async run(): Promise<RunnerEnd> {
    try {
      return await this.#loop();
    } finally {
      this.#o.env.monitor.end(this.#progress);
      // A read ahead still running: the loop's end leaves nothing behind it.
      await this.#ahead?.read;
    }
  }

  async #loop(): Promise<RunnerEnd> {
    const { signal, env, partition, source } = this.#o;
    const start = await this.#loadCheckpoint();
    if (start === "stopped" || start === "fenced") return start;
    this.#next = this.#committed = start;
    this.#progress.loaded(start, !("stream" in source));
    while (!signal.aborted) {
      const page = await this.#readPage();
      if (page === "stopped") return page;
      if (page === undefined) continue;
      this.#readAhead(page.messages);
      const { handled, end: cut } = await this.#handlePage(page.messages);
      const end = cut ?? await this.#commitSkipped();
      // Reported even when an abort (or a lost lease) cut the page short: what
      // it committed is in the checkpoint, and a rebuild counts it from here.
      if (end === undefined || handled > 0) {
        env.hooks.onPage?.({ partition, handled, position: this.#committed });
      }
      if (end !== undefined) return end;
      if (signal.aborted) break;
      const waited = await this.#waitWhenCaughtUp(page);
      if (waited !== undefined) return waited;
    }
    return "stopped";
  }

  /**
   * Store and storage failures are retried with backoff until they pass or
   * the consumer stops; one retrying cannot fix (an unmigrated schema, a
   * closed store) ends the consumer at once.
   */
  async #retryAfter(error: unknown, phase: "store" | "storage"): Promise<boolean> {
    if (!retryable(this.#o.env, error, { phase, partition: this.#o.partition })) return false;
    return await sleep(backoffDelay(this.#o.env.retry, ++this.#failures), this.#o.signal);
  }

  async #loadCheckpoint(): Promise<bigint | "stopped" | "fenced"> {
    const { env, partition, signal } = this.#o;
    let phase: "store" | "storage" = "storage";
    while (!signal.aborted) {
      try {
        phase = "storage";
        const loaded = await env.storage.checkpoints.load(env.group, partition);
        worked(env, "storage");
        if (loaded !== undefined || this.#o.from === "start") return loaded ?? 0n;
        return await this.#fixStart((next) => (phase = next));
      } catch (error) {
        if (!(await this.#retryAfter(error, phase))) break;
      }
    }
    return "stopped";
  }

  /**
   * No checkpoint yet: where `from` says. The end is stored as the checkpoint
   * at once, so that it is fixed the first time: a consumer restarted before
   * anything arrived continues from there, and does not skip what was
   * appended while it was down by taking a later end.
   */
  async #fixStart(phase: (now: "store" | "storage") => void): Promise<bigint | "fenced"> {
    const { env, store, source, from, partition, lease } = this.#o;
    phase("store");
    const position = await startPosition(store, source, from);
    worked(env, "store");
    if (from !== "end") return position;
    phase("storage");
    const update = { group: env.group, partition, position, lease };
    if (!(await env.storage.checkpoints.commit(update, () => {}))) return "fenced";
    worked(env, "storage");
    return position;
  }

  /** The next page; `undefined` after a failed read that is to be retried. */
  async #readPage(): Promise<SourcePage | undefined | "stopped"> {
    const { store, source, batchSize } = this.#o;
    const ahead = this.#ahead;
    this.#ahead = undefined;
    try {
      if (ahead !== undefined && ahead.from === this.#next) {
        const read = await ahead.read;
        if ("error" in read) throw read.error;
        this.#failures = 0;
        worked(this.#o.env, "store");
        return { messages: read.messages, head: undefined };
      }
      // The head is read before the page, so a short page proves everything up to it was seen.
      const head = this.#nearHead ? await store.headPosition() : undefined;
      const { messages } = await readSourcePage(store, source, {
        from: this.#next,
        limit: batchSize,
      });
      this.#failures = 0;
      this.#progress.recovered();
      worked(this.#o.env, "store");
      return { messages, head };
    } catch (error) {
      return (await this.#retryAfter(error, "store")) ? undefined : "stopped";
    }
  }

  /**
   * After a full page (catching up), reads the next one while this one is
   * handled: the read and the page's commit overlap. It is used only if the
   * page ends where it was read from, and is read without the head, as any
   * page after a full one is.
   */
  #readAhead(messages: readonly RecordedMessage[]): void {
    const { store, source, batchSize } = this.#o;
    if (messages.length < batchSize) return;
    const from = positionAfter(source, messages[messages.length - 1]);
    const read = readSourcePage(store, source, { from, limit: batchSize }).then(
      ({ messages }) => ({ messages }),
      (error: unknown) => ({ error }),
    );
    this.#ahead = { from, read };
  }

  /** Delivers a page: how many messages of this partition it handled or parked, and why it ended early. */
  async #handlePage(messages: readonly RecordedMessage[]): Promise<PageDone> {
    if (this.#o.env.commit !== "page") return await this.#deliverEach(messages);
    if (messages.length === 0) return { handled: 0 };
    const { env, source, partition, lease, signal } = this.#o;
    const mine = this.#o.partitions === undefined
      ? messages
      : messages.filter((message) => this.#isMine(message));
    let handled = 0;
    const ended = await deliverInPages(
      env,
      mine,
      positionAfter(source, messages[messages.length - 1]),
      {
        partition,
        lease,
        signal,
        after: (message) => positionAfter(source, message),
        holdsLease: () => this.#holdsLease(),
        committed: (position, last, count) => {
          this.#next = this.#committed = position;
          this.#progress.passed(last);
          handled += count;
        },
      },
    );
    if (ended !== undefined) return { handled, end: ended };
    // Past other partitions' messages at the end, if any: #commitSkipped saves that.
    this.#next = positionAfter(source, messages[messages.length - 1]);
    this.#progress.passed(messages[messages.length - 1]);
    return { handled };
  }

  async #deliverEach(messages: readonly RecordedMessage[]): Promise<PageDone> {
    const { env, source, partition, lease, signal } = this.#o;
    let handled = 0;
    for (const message of messages) {
      if (signal.aborted) break;
      const after = positionAfter(source, message);
      if (!this.#isMine(message)) {
        this.#next = after;
        this.#progress.passed(message);
        continue;
      }
      if (!this.#holdsLease()) return { handled, end: "fenced" };
      this.#progress.handling(message);
      const outcome = await deliver(env, message, {
        partition,
        position: after,
        lease,
        signal,
      });
      if (outcome === "fenced" || outcome === "stopped") return { handled, end: outcome };
      this.#next = this.#committed = after;
      this.#progress.passed(message);
      handled++;
    }
    return { handled };
  }

  /**
   * Only other partitions' messages since the last commit: save the skip, so
   * a restart does not read them all again.
   */
  async #commitSkipped(): Promise<Step> {
    const { env, partition, lease, signal } = this.#o;
    if (signal.aborted || this.#next <= this.#committed) return undefined;
    const update = { group: env.group, partition, position: this.#next, lease };
    try {
      const committed = await env.storage.checkpoints.commit(update, () => {});
      worked(env, "storage");
      if (!committed) return "fenced";
      this.#committed = this.#next;
    } catch (error) {
      if (!(await this.#retryAfter(error, "storage"))) return "stopped";
    }
    return undefined;
  }

  /** After a short page read with the head before it: caught up, so wait for appends past it. */
  async #waitWhenCaughtUp(page: SourcePage): Promise<Step> {
    const { env, store, partition, batchSize, signal } = this.#o;
    if (page.messages.length >= batchSize) {
      this.#nearHead = false;
      this.#progress.behind();
      return undefined;
    }
    // A short page without a head read first: read once more with one.
    this.#nearHead = true;
    if (page.head === undefined) return undefined;
    if (page.head > this.#scanned) this.#scanned = page.head;
    this.#progress.caughtUp(this.#scanned);
    env.hooks.onCaughtUp?.(this.#next, partition);
    try {
      if (!(await store.waitForAppend(this.#scanned, { signal }))) return await this.#closed();
    } catch (error) {
      if (signal.aborted) return "stopped";
      if (!(await this.#retryAfter(error, "store"))) return "stopped";
    }
    return undefined;
  }

  // The wait ended without a message: the store closed, or (NATS) its
  // connection did. A wait says no more; the next read says which, and it
  // stops the consumer through the usual path (logged, kept for status()).
  async #closed(): Promise<RunnerEnd> {
    if (this.#o.signal.aborted) return "stopped";
    try {
      await this.#o.store.headPosition();
    } catch (error) {
      // Only an error retrying cannot fix is why; anything else is not retried here.
      if (isFatal(error)) {
        retryable(this.#o.env, error, { phase: "store", partition: this.#o.partition });
      }
    }
    return "closed";
  }

  #isMine(message: RecordedMessage): boolean {
    const { partitions, partition } = this.#o;
    return partitions === undefined || partitionOf(message.streamName, partitions) === partition;
  }

  #holdsLease(): boolean {
    return this.#o.holdsLease === undefined || this.#o.holdsLease();
  }
}
