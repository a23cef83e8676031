/**
 * Since when the console's server has found its store unreachable: the start
 * of the first read that failed as unavailable (a `StoreUnavailableError`,
 * its own or the deadline's) since one last worked, or earlier when the
 * store's error says it knew so earlier. Its 503 answers say it, so the page's
 * banner counts the outage from when the server met it, not from the first
 * 503 that browser saw (a page opened ten minutes into an outage said "for
 * 5 s"), and the sampler's reads count too, with no page open.
 *
 * @module
 */

import { StoreUnavailableError } from "../core/mod.ts";

/** What a 503 for an unreachable store adds to its body. */
export interface Unreachable {
  /** When the server first found the store unreachable, ISO 8601. */
  readonly unreachableSince: string;
  /** How long ago that was, in ms, when answering: a browser counts from it on its own clock. */
  readonly unreachableMs: number;
}

/** Reads' outcomes, reduced to since when the store has not answered. */
export class StoreReach {
  #since: number | undefined;

  /**
   * A read started at `started` (ms since the epoch) failed with `error`:
   * an unavailable store begins an outage, unless one is going on.
   */
  failed(error: unknown, started: number): void {
    if (!(error instanceof StoreUnavailableError) || this.#since !== undefined) return;
    this.#since = Math.min(started, error.since ?? started);
  }

  /** A read worked: the store answers. */
  worked(): void {
    this.#since = undefined;
  }

  /** `read`, its outcome noted; it settles as `read` does. */
  track<T>(read: Promise<T>, started = Date.now()): Promise<T> {
    read.then(() => this.worked(), (error) => this.failed(error, started));
    return read;
  }

  /** The fields a 503 adds, or `undefined` while the store answers. */
  unreachable(now = Date.now()): Unreachable | undefined {
    if (this.#since === undefined) return undefined;
    return {
      unreachableSince: new Date(this.#since).toISOString(),
      unreachableMs: Math.max(0, now - this.#since),
    };
  }
}
