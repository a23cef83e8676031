// The handlers of one bus that are running now, by name, so that a close
// that waits for them can say which (a handler that never returns keeps
// close() waiting, and a service given SIGTERM from exiting).

interface Running {
  count: number;
  /** When the count last rose from 0: how long the oldest has run, near enough. */
  since: number;
}

/** Counts running calls of the handlers it wraps, by label (`command "orders/place"`). */
export class RunningHandlers {
  readonly #running = new Map<string, Running>();

  /** `handler`, counted under `label` while it runs (until its promise settles). */
  wrap<A extends unknown[], R>(label: string, handler: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      this.#enter(label);
      let result: R;
      try {
        result = handler(...args);
      } catch (error) {
        this.#leave(label);
        throw error;
      }
      if (!isPromiseLike(result)) {
        this.#leave(label);
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          this.#leave(label);
          return value;
        },
        (error) => {
          this.#leave(label);
          throw error;
        },
      ) as R;
    };
  }

  /** What runs now, for a log line: `command "orders/place" (1 running for 12 s)`. */
  describe(now = Date.now()): string[] {
    return [...this.#running].map(([label, { count, since }]) =>
      `${label} (${count} running, the oldest for ${Math.round((now - since) / 1000)} s)`
    );
  }

  #enter(label: string): void {
    const running = this.#running.get(label);
    if (running === undefined) this.#running.set(label, { count: 1, since: Date.now() });
    else running.count++;
  }

  #leave(label: string): void {
    const running = this.#running.get(label)!;
    if (--running.count === 0) this.#running.delete(label);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
