// The store's head as waitForAppend sees it: callers waiting past a position,
// and the live follower that wakes them, started by the first wait and
// started again after a failure. A failure that repeats while the server is
// away is logged when it starts and when it ends (as soon as the server
// answers the follower again, not at the next append). Once the store or its
// connection is closed (`stopped`), nothing is followed or retried again.

import {
  type Logger,
  Outage,
  PositionWaiters,
  unreachableMsAgo,
  type WaitOptions,
} from "../../core/mod.ts";
import { fromGlobalPosition } from "./batch_record.ts";
import { translateError } from "./jetstream/mod.ts";
import { LiveFollower } from "./_follower.ts";
import type { RecordSource } from "./_scan.ts";

/** What a {@link LiveHead} needs of its store. */
export interface LiveHeadOptions {
  /** Reads the head from the server. */
  readonly readHead: () => Promise<bigint>;
  readonly source: RecordSource;
  /** The subject filter of every record of the store. */
  readonly filter: string;
  /** Milliseconds before following again after a failure. */
  readonly retryDelay: number;
  readonly logger: Logger;
  /** The store's stream, as its log lines name it. */
  readonly stream: string;
  /** True once the store or its connection is closed: following cannot work again. */
  readonly stopped: () => boolean;
}

/** The waits for appends of one store, and what wakes them. */
export class LiveHead {
  readonly #o: LiveHeadOptions;
  readonly #waiters = new PositionWaiters();
  #known = 0n;
  #follower: LiveFollower | undefined;
  #starting: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Following's failures, so that one line says it fails and one that it works again (with downMs). */
  readonly #outage = new Outage();

  constructor(options: LiveHeadOptions) {
    this.#o = options;
  }

  /** Resolves `true` once a message past `after` is stored; `false` when stopped first. */
  wait(after: bigint, options?: WaitOptions): Promise<boolean> {
    const waiting = this.#waiters.wait(after, this.#known, options);
    if (this.#waiters.size > 0) this.#follow();
    return waiting;
  }

  /** A head read elsewhere: wakes those waiting below it. */
  seen(position: bigint): void {
    if (position <= this.#known) return;
    this.#known = position;
    this.#waiters.notify(position);
  }

  /** Pending waits resolve `false` (a later read says why); nothing is retried. */
  stop(): void {
    this.#waiters.close();
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#follower?.stop();
    this.#follower = undefined;
  }

  // Starts the live follower once: it reads the head first (waking anyone
  // already past it), then follows from the record after it.
  #follow(): void {
    if (this.#follower !== undefined || this.#starting !== undefined || this.#o.stopped()) return;
    this.#starting = (async () => {
      const head = await this.#o.readHead();
      if (this.#o.stopped()) return;
      this.seen(head);
      this.#follower = new LiveFollower({
        source: this.#o.source,
        filter: this.#o.filter,
        onHead: (position) => {
          this.#works();
          this.seen(position);
        },
        onError: (error) => this.#failed(error),
        onFollowing: () => this.#works(),
        retryDelay: this.#o.retryDelay,
      }, fromGlobalPosition(head).seq);
    })().catch((error) => {
      this.#failed(error);
      this.#retryLater();
    }).finally(() => (this.#starting = undefined));
  }

  #failed(error: unknown): void {
    if (this.#o.stopped()) return;
    const translated = translateError(error, "waitForAppend");
    // Counted from the failed request's start or the connection's loss, not from this failure.
    if (!this.#outage.failed(unreachableMsAgo(translated))) return;
    this.#o.logger.warn("Store cannot follow appends; following again", {
      stream: this.#o.stream,
      retryInMs: this.#o.retryDelay,
      error: translated,
    });
  }

  #works(): void {
    const ended = this.#outage.worked();
    if (ended === undefined) return;
    this.#o.logger.info("Store following appends again", { stream: this.#o.stream, ...ended });
  }

  #retryLater(): void {
    if (this.#o.stopped() || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#waiters.size > 0) this.#follow();
    }, this.#o.retryDelay);
  }
}
