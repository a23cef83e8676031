/**
 * How long the console waits on its store: an API call that has no answer
 * within the deadline is answered 503 with a `StoreUnavailableError` that
 * says so, rather than after the driver gives up (with PostgreSQL stopped
 * under the demo, 12 to 30 s: postgres.js queues a query behind its
 * connection attempts). The reads cannot be cancelled (the store API takes
 * no signal), so at most two reads of each kind (route and query, whoever
 * asks) run at a time: the same read asked again while one runs within its
 * deadline (another tab, a second viewer) joins it; past its deadline one
 * fresh read may start beside it, and while both run every request is
 * answered 503 at once instead of queueing one more read on a pool that
 * cannot connect. Once the database is back the next read works, with
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

/** Answers of calls still running, by what they ask (method, path, query). */
export class Deadline {
  readonly #ms: number;
  /** The read of each kind that requests join while it is within its deadline. */
  readonly #running = new Map<string, Read>();
  /** A read of each kind left past its deadline, still running: while it does, no third starts. */
  readonly #stuck = new Map<string, Read>();

  constructor(ms: number) {
    this.#ms = ms;
  }

  /**
   * `answer()`'s response, or a `StoreUnavailableError` after the deadline.
   * A call asked while the same one runs within its deadline shares it
   * (each gets a copy of the response). Past that deadline the read is left
   * to end by itself and a call reads afresh, once: while both run, calls
   * are answered that error at once, and nothing more is read until one
   * ends. So at most two reads of a kind run at a time, however long the
   * store hangs and however many ask. `key` undefined never shares (a
   * replay is asked once).
   */
  async run(
    operation: string,
    key: string | undefined,
    answer: () => Promise<Response>,
  ): Promise<Response> {
    const now = Date.now();
    let read = key === undefined ? undefined : this.#running.get(key);
    if (key !== undefined && read !== undefined && now - read.at >= this.#ms) {
      // Past its deadline a read is stuck behind the driver's connection
      // attempts; joining it held pages back for 4 to 14 s after the
      // database was back, and a read begun just before it came back stayed
      // stuck up to 20 s after (postgres.js, measured), so one fresh read
      // may start beside it. Beyond that, reads started one per deadline
      // piled up on a pool that cannot connect: answered at once instead.
      const stuck = this.#stuck.get(key);
      if (stuck !== undefined) throw this.#late(operation, false, stuck.at);
      this.#leave(key, read);
      read = undefined;
    }
    if (read === undefined) {
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

  /** How many reads are running now, stuck ones too (at most two of each kind). */
  get running(): number {
    return this.#running.size + this.#stuck.size;
  }

  #track(key: string, read: Read): void {
    this.#running.set(key, read);
    const forget = () => {
      if (this.#running.get(key) === read) this.#running.delete(key);
      if (this.#stuck.get(key) === read) this.#stuck.delete(key);
    };
    read.answer.then(forget, forget);
  }

  // The read goes on by itself; calls no longer join it.
  #leave(key: string, read: Read): void {
    this.#running.delete(key);
    this.#stuck.set(key, read);
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
