/**
 * The waiting half of `EventStore.waitForAppend`, for adapters: callers park
 * here until the adapter reports a head position past theirs. Each wait owns
 * at most one timer and one abort listener, and removes both when it ends, so
 * nothing keeps a process alive after its consumers stop.
 *
 * @module
 */

import type { WaitOptions } from "./event_store.ts";
import { checkOptions } from "./options.ts";

const WAIT_OPTION_KEYS: readonly string[] = ["signal", "timeout"];

interface Waiter {
  readonly after: bigint;
  readonly settle: (value: boolean) => void;
}

/**
 * A set of pending waits on the head position.
 *
 * @example
 * ```ts
 * import { PositionWaiters } from "./position_waiters.ts";
 * const waiters = new PositionWaiters();
 * const woken = waiters.wait(0n, 0n, { timeout: 1000 });
 * waiters.notify(1n);
 * console.log(await woken); // true
 * ```
 */
export class PositionWaiters {
  #waiters = new Set<Waiter>();
  #closed = false;

  /** Number of waits still pending. */
  get size(): number {
    return this.#waiters.size;
  }

  /**
   * Waits until {@link notify} reports a head past `after`. `head` is the
   * position the caller knows now: if it is already past `after`, this
   * resolves `true` at once.
   */
  wait(after: bigint, head: bigint, options?: WaitOptions): Promise<boolean> {
    let checked: WaitOptions;
    try {
      checked = checkOptions(options, WAIT_OPTION_KEYS) as WaitOptions;
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal, timeout } = checked;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (head > after) return Promise.resolve(true);
    if (this.#closed || timeout === 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        cleanup();
        reject(signal!.reason);
      };
      const cleanup = () => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        after,
        settle: (value) => {
          cleanup();
          resolve(value);
        },
      };
      this.#waiters.add(waiter);
      if (timeout !== undefined && timeout !== Infinity) {
        timer = setTimeout(() => waiter.settle(false), timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wakes every wait whose position `head` has passed. */
  notify(head: bigint): void {
    if (this.#waiters.size === 0) return; // the common case, on every append
    for (const waiter of this.#waiters) {
      if (head > waiter.after) waiter.settle(true);
    }
  }

  /** Resolves every pending wait `false`; later waits resolve `false` at once. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters) waiter.settle(false);
  }
}
