/**
 * What the console draws over the last minutes: the head and each group's
 * lag, sampled while the handler is open (from its first request until
 * `close()`), kept for a window, so a page opened now shows what came before.
 *
 * @module
 */

/** One sample. */
export interface Sample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly head: bigint;
  /** Lag by group, where known. */
  readonly lags: Readonly<Record<string, number>>;
}

/** Samples on a timer and keeps those of the last `windowMs`. */
export class History {
  readonly #take: () => Promise<Sample>;
  readonly #interval: number;
  readonly #windowMs: number;
  readonly #samples: Sample[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(take: () => Promise<Sample>, interval: number, windowMs: number) {
    this.#take = take;
    this.#interval = interval;
    this.#windowMs = windowMs;
  }

  /** Starts sampling, once; a no-op after `close()`. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => void this.sample(), this.#interval);
    void this.sample();
  }

  /** Takes one sample now (failures are skipped: the next one may pass). */
  async sample(): Promise<void> {
    try {
      this.add(await this.#take());
    } catch {
      // The store or storage is away for a moment; the chart shows a gap.
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
