/**
 * How long the console waits on its store: an API call that has no answer
 * within the deadline is answered 503 with a `StoreUnavailableError` that
 * says so, rather than after the driver gives up (with PostgreSQL stopped
 * under the demo, 12 to 30 s: postgres.js queues a query behind its
 * connection attempts). The reads cannot be cancelled (the store API takes
 * no signal), so at most three reads of each kind (route and query, whoever
 * asks) run at a time: the same read asked again while one runs within its
 * deadline (another tab, a second viewer) joins it; past its deadline a
 * fresh read starts beside it, and while three run every request of that
 * kind is answered 503 at once instead of queueing one more read on a pool
 * that cannot connect. Once the database is back the next read works, with
 * nothing to reset.
 *
 * @module
 */

import { StoreUnavailableError } from "../core/mod.ts";

/** One read and when it started. */
interface Read {
  readonly answer: Promise<Response>;
  readonly at: number;
}

/**
 * Reads of one kind that may run at once. Not one: reads begun in the first
 * seconds after the database came back stayed stuck 12 to 19 s (postgres.js
 * behind its connection attempts, measured in the outage test), and only a
 * read begun later answered at once; with one (or two) the console answered
 * again 17 to 19 s after the database was back, against 10 s when a fresh
 * read could start each deadline. Three keep that, and bound the rest.
 */
export const READS_PER_KIND = 3;

/** Answers of calls still running, by what they ask (method, path, query). */
export class Deadline {
  readonly #ms: number;
  /** The reads of each kind still running, oldest first (at most {@link READS_PER_KIND}). */
  readonly #reads = new Map<string, Read[]>();

  constructor(ms: number) {
    this.#ms = ms;
  }

  /**
   * `answer()`'s response, or a `StoreUnavailableError` after the deadline.
   * A call asked while the same one runs within its deadline shares it
   * (each gets a copy of the response). Past that deadline the read is left
   * to end by itself and a call reads afresh; while {@link READS_PER_KIND}
   * reads of the kind run, calls are answered that error at once, and
   * nothing more is read until one ends, however long the store hangs and
   * however many ask. `key` undefined never shares (a replay is asked once).
   */
  async run(
    operation: string,
    key: string | undefined,
    answer: () => Promise<Response>,
  ): Promise<Response> {
    const now = Date.now();
    const reads = key === undefined ? [] : this.#reads.get(key) ?? [];
    // Only the newest read still within its deadline is joined: one past it
    // is stuck behind the driver's connection attempts, and joining it held
    // pages back for 4 to 14 s after the database was back.
    const newest = reads.at(-1);
    let read = newest !== undefined && now - newest.at < this.#ms ? newest : undefined;
    if (read === undefined) {
      // Starting one per deadline beside those stuck piled reads up on a
      // pool that cannot connect (20 requests, 13 reads at once): bounded.
      if (reads.length >= READS_PER_KIND) throw this.#late(operation, false, reads[0].at);
      read = { answer: answer(), at: now };
      if (key !== undefined) this.#track(key, read);
    }
    const { answer: answered, at } = read;
    // An answer after the deadline is dropped: its failure must not go unhandled.
    answered.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#late(operation, key === undefined, at)), this.#ms);
    });
    try {
      const response = await Promise.race([answered, late]);
      return key === undefined ? response : response.clone();
    } finally {
      clearTimeout(timer);
    }
  }

  /** How many keyed reads are running now. */
  get running(): number {
    let count = 0;
    for (const reads of this.#reads.values()) count += reads.length;
    return count;
  }

  #track(key: string, read: Read): void {
    const reads = this.#reads.get(key) ?? [];
    reads.push(read);
    this.#reads.set(key, reads);
    const forget = () => {
      const left = (this.#reads.get(key) ?? []).filter((r) => r !== read);
      if (left.length === 0) this.#reads.delete(key);
      else this.#reads.set(key, left);
    };
    read.answer.then(forget, forget);
  }

  // `since`: when the read with no answer started; the store has not answered since.
  #late(operation: string, writes: boolean, since: number): StoreUnavailableError {
    const seconds = this.#ms % 1000 === 0 ? `${this.#ms / 1000} s` : `${this.#ms} ms`;
    return new StoreUnavailableError(
      operation,
      `no answer from the store or its consumer storage within ${seconds} (the console's requestTimeout): is its database up and reachable?` +
        (writes ? " The request may still be carried out once it answers." : ""),
      { since },
    );
  }
}
