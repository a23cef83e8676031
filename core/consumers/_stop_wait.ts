// How long a stopping consumer waits for its storage's goodbye calls (the
// heartbeat or announcement in flight, lease releases, leaving its group,
// withdrawing). Each is a courtesy: what it would remove expires by itself
// (a lease and a membership after leaseTtl, an announcement after three
// control intervals). With the storage's server away each call waited out
// its own timeout (5 s on NATS), one after another, and stop() took 15 s. Now
// the storage gets one short wait: the first call that outlasts it marks the
// storage as not answering, and the calls after it are not made.

/** Milliseconds a stopping consumer waits for one goodbye call. */
export const STOP_STORAGE_WAIT_MS = 2000;

/** What {@link StopWait.bound} gives: the call's value, or why it was not waited for. */
export type Bounded<T> =
  | { readonly value: T }
  | { readonly late: true; readonly waitedMs: number };

/**
 * The one wait of a consumer's stop. A call left behind finishes or fails
 * unheard (`bound` swallows its rejection after giving up on it).
 */
export class StopWait {
  readonly #ms: number;
  #late = false;
  #waitedMs = 0;

  constructor(ms = STOP_STORAGE_WAIT_MS) {
    this.#ms = ms;
  }

  /** Whether a goodbye call already outlasted the wait: the storage is not answering. */
  get late(): boolean {
    return this.#late;
  }

  /** How long the call that outlasted the wait was waited for (0 before one did). */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /**
   * `work`'s value, or `late` when it outlasts the wait, or when an earlier
   * call did (then `work` is not started). Rejects as `work` does when it
   * fails within the wait.
   */
  async bound<T>(work: Promise<T> | (() => Promise<T>)): Promise<Bounded<T>> {
    if (this.#late) {
      if (typeof work !== "function") work.catch(() => {});
      return { late: true, waitedMs: 0 };
    }
    const started = performance.now();
    const running = typeof work === "function" ? work() : work;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, this.#ms, "late")));
    try {
      const won = await Promise.race([running.then((value) => ({ value })), late]);
      if (won !== "late") return won;
      running.catch(() => {});
      this.#late = true;
      this.#waitedMs = Math.round(performance.now() - started);
      return { late: true, waitedMs: this.#waitedMs };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whether `work` settled before `signal` aborted (`work` never rejects: it reports its own failures). */
export async function endsBeforeAbort(work: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let stop!: () => void;
  const aborted = new Promise<false>((resolve) => {
    stop = () => resolve(false);
    signal.addEventListener("abort", stop, { once: true });
  });
  try {
    return await Promise.race([work.then(() => true), aborted]);
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
