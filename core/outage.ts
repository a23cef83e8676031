/**
 * One spell of failures of work that is retried (a store's poll, a
 * consumer's storage, a subscription), so that a component says once that it
 * fails and once that it works again, with how long it was down. Each
 * component keeps one per kind of work.
 *
 * @module
 */

/** What the line that ends an outage adds to its fields. */
export interface OutageEnded {
  /** Milliseconds from the outage's first failure to the success that ended it. */
  readonly downMs: number;
}

/**
 * Failures and successes of one kind of work, reduced to when an outage
 * begins and when it ends. It keeps one timestamp: calling it on every
 * attempt costs a comparison.
 *
 * @example
 * ```ts
 * import { consoleLogger } from "./logger.ts";
 * import { Outage } from "./outage.ts";
 * const poll = new Outage();
 * if (poll.failed()) consoleLogger.warn("Store poll failed; retrying");
 * poll.failed(); // false: the same outage, not said again
 * const ended = poll.worked();
 * if (ended !== undefined) consoleLogger.info("Store poll works again", { ...ended });
 * // ordo info: Store poll works again downMs=0
 * ```
 */
export class Outage {
  readonly #now: () => number;
  #since: number | undefined;

  /** `now` reads a clock in milliseconds; default `performance.now()`, which no clock change moves. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Whether the work failed and has not worked since. */
  get failing(): boolean {
    return this.#since !== undefined;
  }

  /** The work failed: `true` when that begins an outage (the first failure since it last worked). */
  failed(): boolean {
    if (this.#since !== undefined) return false;
    this.#since = this.#now();
    return true;
  }

  /**
   * The work succeeded: when that ends an outage, how long it lasted (fields
   * for the line that says so); `undefined` when it was not failing.
   */
  worked(): OutageEnded | undefined {
    if (this.#since === undefined) return undefined;
    const downMs = Math.round(this.#now() - this.#since);
    this.#since = undefined;
    return { downMs };
  }
}
