/**
 * How long the console waits on its store: an API call that has no answer
 * within the deadline is answered 503 with a `StoreUnavailableError` that
 * says so, rather than after the driver gives up (with PostgreSQL stopped
 * under the demo, 12 to 30 s: postgres.js queues a query behind its
 * connection attempts). The reads cannot be cancelled, so the same read
 * asked again while one is still running within its deadline (another tab,
 * a second viewer) joins it instead of queueing one more on a pool that
 * cannot connect: at most one read per route starts per deadline. Once the
 * database is back the next read works, with nothing to reset.
 *
 * @module
 */

import { StoreUnavailableError } from "../core/mod.ts";

/** Answers of calls still running, by what they ask (method, path, query, caller). */
export class Deadline {
  readonly #ms: number;
  readonly #running = new Map<string, { answer: Promise<Response>; at: number }>();

  constructor(ms: number) {
    this.#ms = ms;
  }

  /**
   * `answer()`'s response, or a `StoreUnavailableError` after the deadline.
   * A call asked while the same one runs within its deadline shares it
   * (each gets a copy of the response); `key` undefined never shares (a
   * replay is asked once).
   */
  async run(
    operation: string,
    key: string | undefined,
    answer: () => Promise<Response>,
  ): Promise<Response> {
    const now = Date.now();
    const joined = key === undefined ? undefined : this.#running.get(key);
    // Only a read still within its deadline is joined: one past it is stuck
    // behind the driver's connection attempts, and joining it held pages
    // back for 4 to 14 s after the database was back (2 to 6 s without).
    let running = joined !== undefined && now - joined.at < this.#ms ? joined.answer : undefined;
    if (running === undefined) {
      running = answer();
      if (key !== undefined) {
        const shared = { answer: running, at: now };
        this.#running.set(key, shared);
        const forget = () => {
          if (this.#running.get(key) === shared) this.#running.delete(key);
        };
        running.then(forget, forget);
      }
    }
    // An answer after the deadline is dropped: its failure must not go unhandled.
    running.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#late(operation, key === undefined)), this.#ms);
    });
    try {
      const response = await Promise.race([running, late]);
      return key === undefined ? response : response.clone();
    } finally {
      clearTimeout(timer);
    }
  }

  #late(operation: string, writes: boolean): StoreUnavailableError {
    const seconds = this.#ms % 1000 === 0 ? `${this.#ms / 1000} s` : `${this.#ms} ms`;
    return new StoreUnavailableError(
      operation,
      `no answer from the store or its consumer storage within ${seconds} (the console's requestTimeout): is its database up and reachable?` +
        (writes ? " The request may still be carried out once it answers." : ""),
    );
  }
}
