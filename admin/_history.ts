/**
 * What the console draws over the last minutes: the head and each group's
 * lag, sampled while the handler is open (from its first request until
 * `close()`), kept for a window, so a page opened now shows what came before.
 * One sample at a time: on a store that hangs (a database that went away)
 * ticks are skipped rather than stacked, so the console's own requests are
 * not queued behind them in a shared pool.
 *
 * @module
 */

import { type Logger, Outage } from "../core/mod.ts";

/** One sample. */
export interface Sample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly head: bigint;
  /** Lag by group, where known. */
  readonly lags: Readonly<Record<string, number>>;
  /** Groups whose lag count stopped at its cap (the lag is at least the figure). */
  readonly capped: readonly string[];
  /** How old, in ms, each group's oldest unhandled message was when sampled (0 when it had none). */
  readonly ages: Readonly<Record<string, number>>;
}

/** Samples on a timer and keeps those of the last `windowMs`. */
export class History {
  readonly #take: () => Promise<Sample>;
  readonly #interval: number;
  readonly #windowMs: number;
  readonly #logger: Logger;
  readonly #samples: Sample[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #taking = false;
  readonly #outage = new Outage();

  constructor(take: () => Promise<Sample>, interval: number, windowMs: number, logger: Logger) {
    this.#take = take;
    this.#interval = interval;
    this.#windowMs = windowMs;
    this.#logger = logger;
  }

  /** Starts sampling, once; a no-op after `close()`. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => void this.sample(), this.#interval);
    void this.sample();
  }

  /**
   * Takes one sample now, unless one is still being taken. A failure leaves
   * a gap in the charts and is logged once, until a sample works again.
   */
  async sample(): Promise<void> {
    if (this.#taking) return;
    this.#taking = true;
    try {
      this.add(await this.#take());
      const ended = this.#outage.worked();
      if (ended !== undefined) this.#logger.info("Console sample works again", { ...ended });
    } catch (error) {
      if (this.#outage.failed()) this.#logger.warn("Console sample failed; retrying", { error });
    } finally {
      this.#taking = false;
    }
  }

  /** Adds a sample taken elsewhere (an overview just read). */
  add(sample: Sample): void {
    const last = this.#samples[this.#samples.length - 1];
    if (last !== undefined && sample.at - last.at < this.#interval / 2) return;
    this.#samples.push(sample);
    const oldest = sample.at - this.#windowMs;
    while (this.#samples.length > 0 && this.#samples[0].at < oldest) this.#samples.shift();
  }

  /** The samples kept, oldest first. */
  samples(): readonly Sample[] {
    return this.#samples;
  }

  /**
   * Adds `sample` (a page's own read) and returns the samples kept, ending
   * with it even when it came too soon after the last to be kept: a chart
   * that ends before the figure beside it drew a lag of 5 as a line along 0.
   */
  withLatest(sample: Sample): readonly Sample[] {
    this.add(sample);
    const kept = this.#samples;
    return kept[kept.length - 1] === sample ? kept : [...kept, sample];
  }

  /** Positions per second over the last minute of samples; `undefined` with fewer than two. */
  rate(now = Date.now()): number | undefined {
    const recent = this.#samples.filter((s) => s.at >= now - 60_000);
    if (recent.length < 2) return undefined;
    const first = recent[0];
    const last = recent[recent.length - 1];
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? Number(last.head - first.head) / seconds : undefined;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
