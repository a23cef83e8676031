/**
 * Time limits for many calls at the cost of few timers. Calls with the same
 * timeout expire in the order they started, so each distinct timeout gets a
 * FIFO lane with one timer armed for its oldest live call; a call that
 * finishes only marks its entry. A million short calls a second then cost a
 * handful of timers instead of a million `setTimeout`/`clearTimeout` pairs.
 *
 * @module
 */

import { TimeoutError } from "../errors.ts";

/** What a deadline-bound operation gets: a signal that aborts when time runs out or the caller aborts. */
export interface CallScope {
  /** Made on first use, so calls that never look at it cost nothing. */
  readonly signal: AbortSignal;
  /** True once the deadline passed or the caller aborted. */
  readonly expired: boolean;
}

/** Options of {@link Deadlines.run}. */
export interface DeadlineOptions {
  /** Milliseconds; `undefined` or `Infinity` for none. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Names the operation in the TimeoutError (`query "orders/show"`). */
  readonly operation: string;
  /** Called once when the deadline passes, before the call rejects. */
  readonly onExpire?: () => void;
}

interface Entry {
  readonly deadline: number;
  expire: (() => void) | undefined;
}

class Lane {
  // Entries in deadline order between head and tail. Slots are reused rather
  // than the array resized: setting an array's length on every call is slow.
  readonly items: (Entry | undefined)[] = [];
  head = 0;
  tail = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
}

class Scope implements CallScope {
  #controller: AbortController | undefined;
  expired = false;

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.expired && !this.#controller.signal.aborted) this.#controller.abort();
    return this.#controller.signal;
  }

  end(reason: unknown): void {
    this.expired = true;
    this.#controller?.abort(reason);
  }
}

/**
 * A set of deadline lanes, one per distinct timeout. Owned by a bus; `close()`
 * clears its timers.
 *
 * @example
 * ```ts
 * import { Deadlines } from "./deadline.ts";
 * const deadlines = new Deadlines();
 * const slow = new Promise<string>((resolve) => setTimeout(() => resolve("late"), 50));
 * await deadlines.run(() => slow, { timeout: 10, operation: "demo" }).catch((e) => console.log(e._tag)); // TimeoutError
 * deadlines.close();
 * ```
 */
export class Deadlines {
  readonly #lanes = new Map<number, Lane>();

  /**
   * Runs `operation` and settles with it, or rejects with a `TimeoutError`
   * when `timeout` passes first, or with the signal's reason when it aborts.
   * The operation is told through its scope and should stop.
   */
  run<T>(operation: (scope: CallScope) => Promise<T>, options: DeadlineOptions): Promise<T> {
    const { timeout, signal } = options;
    const scope = new Scope();
    if ((timeout === undefined || timeout === Infinity) && signal === undefined) return operation(scope);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      let entry: Entry | undefined;
      let settled = false;
      const finish = () => {
        settled = true;
        if (entry !== undefined) entry.expire = undefined;
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        if (settled) return;
        finish();
        scope.end(signal!.reason);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined && timeout !== Infinity) {
        entry = this.#track(timeout, () => {
          if (settled) return;
          finish();
          const error = new TimeoutError(options.operation, timeout);
          scope.end(error);
          options.onExpire?.();
          reject(error);
        });
      }
      operation(scope).then(
        (value) => {
          if (settled) return;
          finish();
          resolve(value);
        },
        (error) => {
          if (settled) return;
          finish();
          reject(error);
        },
      );
    });
  }

  /** Clears every timer; calls still running then never time out. */
  close(): void {
    for (const lane of this.#lanes.values()) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    this.#lanes.clear();
  }

  #track(timeout: number, expire: () => void): Entry {
    let lane = this.#lanes.get(timeout);
    if (lane === undefined) this.#lanes.set(timeout, lane = new Lane());
    const entry: Entry = { deadline: Date.now() + timeout, expire };
    // Drop finished entries at the front first, so a steady stream of quick calls keeps the lane short.
    compact(lane);
    lane.items[lane.tail++] = entry;
    if (lane.timer === undefined) this.#arm(lane, timeout);
    return entry;
  }

  #arm(lane: Lane, delay: number): void {
    lane.timer = setTimeout(() => this.#fire(lane), Math.max(0, delay));
  }

  #fire(lane: Lane): void {
    lane.timer = undefined;
    const now = Date.now();
    while (lane.head < lane.tail) {
      const entry = lane.items[lane.head]!;
      if (entry.expire !== undefined && entry.deadline > now) break;
      lane.items[lane.head++] = undefined;
      const expire = entry.expire;
      entry.expire = undefined;
      expire?.();
    }
    compact(lane);
    if (lane.head < lane.tail) this.#arm(lane, lane.items[lane.head]!.deadline - now);
  }
}

function compact(lane: Lane): void {
  const { items } = lane;
  while (lane.head < lane.tail && items[lane.head]!.expire === undefined) items[lane.head++] = undefined;
  if (lane.head === lane.tail) {
    lane.head = lane.tail = 0;
  } else if (lane.head > 1024 && lane.head * 2 > lane.tail) {
    items.copyWithin(0, lane.head, lane.tail);
    items.fill(undefined, lane.tail - lane.head, lane.tail);
    lane.tail -= lane.head;
    lane.head = 0;
  }
}
