// Bounds how many handler calls run at once across a consumer's partitions
// (and parked-message replays), so in-flight work never grows with the number
// of partitions a member happens to own.

/** A counting semaphore. */
export class Limiter {
  #free: number;
  readonly #queue: (() => void)[] = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  /** Runs `work` once a slot is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#queue.shift();
      if (next !== undefined) next();
      else this.#free++;
    }
  }
}
