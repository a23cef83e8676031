/**
 * One spell of failures of work that is retried (a store's poll, a
 * consumer's storage, a subscription), so that a component says once that it
 * fails, reminds at growing intervals while it lasts (one line and then
 * silence for hours would read as work that recovered), and says once that
 * it works again, each with how long it was down. Each component keeps one
 * per kind of work.
 *
 * @module
 */

import { StoreUnavailableError } from "./errors.ts";

/** What the line that ends an outage (or reminds of it) adds to its fields. */
export interface OutageEnded {
  /**
   * Milliseconds from the outage's start to the success that ended it (or to
   * the reminder): from its first failure, or from when the failed attempt
   * began or the component knew it unreachable, when it said (see
   * {@link Outage.failed}).
   */
  readonly downMs: number;
}

/**
 * When, in ms after an outage's first failure, its n-th reminder (0, 1, …)
 * is due: after 1 min, 10 min, 1 h, then every hour.
 *
 * @example
 * ```ts
 * import { stillFailingAt } from "./outage.ts";
 * stillFailingAt(0); // 60000
 * ```
 */
export function stillFailingAt(reminder: number): number {
  if (reminder === 0) return 60_000;
  if (reminder === 1) return 600_000;
  return 3_600_000 * (reminder - 1);
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
 * const still = poll.remind(); // { downMs } after 1 min, 10 min, then hourly
 * if (still !== undefined) consoleLogger.warn("Store poll still failing; retrying", { ...still });
 * const ended = poll.worked();
 * if (ended !== undefined) consoleLogger.info("Store poll works again", { ...ended });
 * // ordo info: Store poll works again downMs=0
 * ```
 */
export class Outage {
  readonly #now: () => number;
  readonly #remindAt: (reminder: number) => number;
  #since: number | undefined;
  #reminders = 0;
  // When the work last worked: an outage never counts from before it.
  #worked: number | undefined;

  /**
   * `now` reads a clock in milliseconds; default `performance.now()`, which
   * no clock change moves. `remindAt` schedules the reminders; default
   * {@link stillFailingAt}.
   */
  constructor(
    now: () => number = () => performance.now(),
    remindAt: (reminder: number) => number = stillFailingAt,
  ) {
    this.#now = now;
    this.#remindAt = remindAt;
  }

  /** Whether the work failed and has not worked since. */
  get failing(): boolean {
    return this.#since !== undefined;
  }

  /**
   * The work failed: `true` when that begins an outage (the first failure
   * since it last worked). `beganMsAgo` says how long before now the fault
   * began, when the component knows (the failed request started 5 s ago and
   * timed out; the connection was lost 2 s ago): the outage counts from
   * then, never from before the work last worked. Without it, from now,
   * which understates an outage by the time its first failure took to show.
   */
  failed(beganMsAgo = 0): boolean {
    if (this.#since !== undefined) return false;
    const now = this.#now();
    const began = now - Math.max(0, Number.isFinite(beganMsAgo) ? beganMsAgo : 0);
    this.#since = this.#worked === undefined ? began : Math.max(began, this.#worked);
    this.#reminders = 0;
    return true;
  }

  /** While failing, milliseconds since the outage began; `undefined` otherwise. */
  get downMs(): number | undefined {
    return this.#since === undefined ? undefined : Math.round(this.#now() - this.#since);
  }

  /**
   * While failing: how long so far (fields for a "still failing" line) when
   * a reminder is due, once per reminder; `undefined` otherwise. Reminders
   * skipped (nothing failed to ask for them) are not made up for.
   */
  remind(): OutageEnded | undefined {
    if (this.#since === undefined) return undefined;
    const down = this.#now() - this.#since;
    if (down < this.#remindAt(this.#reminders)) return undefined;
    while (down >= this.#remindAt(this.#reminders)) this.#reminders++;
    return { downMs: Math.round(down) };
  }

  /**
   * The work succeeded: when that ends an outage, how long it lasted (fields
   * for the line that says so); `undefined` when it was not failing.
   */
  worked(): OutageEnded | undefined {
    const now = this.#now();
    this.#worked = now;
    if (this.#since === undefined) return undefined;
    const downMs = Math.round(now - this.#since);
    this.#since = undefined;
    return { downMs };
  }
}

/**
 * How long before now the adapter knew the store unreachable, for
 * {@link Outage.failed}: from `StoreUnavailableError.since` (the failed
 * request's start, or its connection's loss); 0 for any other error, or when
 * it did not say. An outage counted from the failure alone was short by the
 * request's timeout (5 s on NATS).
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "./errors.ts";
 * import { Outage, unreachableMsAgo } from "./outage.ts";
 * const error = new StoreUnavailableError("append", "no answer", { since: Date.now() - 5000 });
 * new Outage().failed(unreachableMsAgo(error)); // true, an outage counted from 5 s ago
 * ```
 */
export function unreachableMsAgo(error: unknown): number {
  const since = error instanceof StoreUnavailableError ? error.since : undefined;
  return since === undefined ? 0 : Date.now() - since;
}
