// Following the store live, for waitForAppend: a consumer over every subject
// of the store that delivers headers only, pulled with long polls (the
// server answers as soon as a record is stored, or after `expires`). Each
// record's sequence and message count (the Ordo-Count header) give the head.
// If the consumer is lost (a server restart, a leader change: it lives on the
// stream's leader, in memory), a new one starts after the last record seen.
// Once the connection is closed for good the loop ends without a word: the
// store's connection watch says so, with the real cause.

import { StoreUnavailableError } from "../../core/mod.ts";
import { toGlobalPosition } from "./batch_record.ts";
import { createConsumer, deleteConsumer } from "./jetstream/mod.ts";
import type { RecordSource } from "./_scan.ts";

const SECOND = 1_000_000_000;

/** Options of a {@link LiveFollower}. */
export interface FollowerOptions {
  readonly source: RecordSource;
  /** The subject filter of every record of the store. */
  readonly filter: string;
  /** The head seen: the position of a new record's last message. */
  readonly onHead: (position: bigint) => void;
  /** A failure the follower will retry after `retryDelay`. */
  readonly onError: (error: unknown) => void;
  /**
   * The server answered: the follower's consumer is in place, or a poll
   * ended as polls do. After failures this says following works again at
   * once, not at the next append, which may be hours away.
   */
  readonly onFollowing?: () => void;
  /** Milliseconds before starting again after a failure. */
  readonly retryDelay: number;
  /** Milliseconds a long poll stays open. */
  readonly expires?: number;
}

/** A follower loop; `stop()` ends it. */
export class LiveFollower {
  readonly #options: FollowerOptions;
  #stopped = false;
  #consumer: string | undefined;
  #wake: (() => void) | undefined;
  readonly done: Promise<void>;

  /** Starts following after stream sequence `afterSeq`. */
  constructor(options: FollowerOptions, afterSeq: number) {
    this.#options = options;
    this.done = this.#run(afterSeq);
  }

  async #run(afterSeq: number): Promise<void> {
    const { source, onHead, onError, onFollowing } = this.#options;
    const connection = source.api.driver.connection;
    const closed = () => typeof connection.isClosed === "function" && connection.isClosed();
    let lastSeq = afterSeq;
    while (!this.#stopped && !closed()) {
      try {
        const name = `ordo_follow_${crypto.randomUUID().replaceAll("-", "")}`;
        await createConsumer(source.api, source.stream, {
          name,
          deliver_policy: "by_start_sequence",
          opt_start_seq: lastSeq + 1,
          ack_policy: "none",
          filter_subject: this.#options.filter,
          headers_only: true,
          mem_storage: true,
          num_replicas: 1,
          inactive_threshold: 60 * SECOND,
        });
        this.#consumer = name;
        onFollowing?.();
        for (;;) {
          if (this.#stopped) return;
          const pulled = Date.now();
          const end = await source.puller.pull(
            source.stream,
            name,
            { batch: 256, expires: this.#options.expires ?? 5000, heartbeat: 1000 },
            (message) => {
              lastSeq = message.seq;
              const count = Number(message.headers?.get("Ordo-Count") || "1");
              onHead(toGlobalPosition(message.seq, Math.max(0, count - 1)));
            },
          );
          if (end === "gone" || end === "timeout") {
            // Waiters were not woken while it was gone: that is worth a line.
            if (!this.#stopped && !closed()) {
              onError(
                new StoreUnavailableError(
                  "waitForAppend",
                  "the consumer following appends is gone or stopped answering (a server restart, " +
                    "a leader change, or the server unreachable)",
                  // A long poll waits by design: only the connection's loss says since when.
                  { since: source.api.outages.unreachableSince(pulled, true) },
                ),
              );
            }
            break;
          }
          onFollowing?.();
        }
      } catch (error) {
        if (this.#stopped || closed()) return;
        onError(error);
      }
      if (closed()) return;
      if (this.#consumer !== undefined) {
        void deleteConsumer(source.api, source.stream, this.#consumer);
        this.#consumer = undefined;
      }
      await this.#pause();
    }
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.retryDelay);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Ends the loop and deletes its consumer (without waiting for the server). */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
    if (this.#consumer !== undefined) {
      void deleteConsumer(this.#options.source.api, this.#options.source.stream, this.#consumer);
      this.#consumer = undefined;
    }
  }
}
