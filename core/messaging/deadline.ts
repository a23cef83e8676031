/**
 * Time limits for many calls at the cost of few timers. Calls with the same
 * timeout expire in the order they started, so each distinct timeout gets a
 * FIFO lane with one timer armed for its oldest live call; a call that
 * finishes only marks itself done. A million short calls a second then cost a
 * handful of timers instead of a million `setTimeout`/`clearTimeout` pairs.
 *
 * A deadline is checked at two moments: the lane's timer rejects a call that
 * is still running when its time is up, and a call that settles checks the
 * clock itself, so an answer that comes after the deadline (before a busy
 * event loop got to the timer) is a `TimeoutError` too. The call object is
 * its own lane slot, scope and promise capability: one allocation besides
 * the promise its caller holds.
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
  /** Clock time (`Date.now()`) the call times out at; `Infinity` for none. */
  readonly deadline: number;
}

/** Options of {@link Deadlines.run}. */
export interface DeadlineOptions {
  /** Milliseconds; `undefined` or `Infinity` for none. */
  readonly timeout?: number;
  /** Aborting rejects the call with the signal's reason and aborts its scope. */
  readonly signal?: AbortSignal;
  /** Names the operation in the TimeoutError (`query "orders/show"`). */
  readonly operation: string;
  /** Called once when the deadline passes, before the call rejects. */
  readonly onExpire?: () => void;
}

// `new Promise(executor)` with one shared executor: a closure per call
// would be an allocation (and, under tsx, a defineProperty) on the hot path.
let nextResolve: (value: unknown) => void = () => {};
let nextReject: (reason: unknown) => void = () => {};
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  nextResolve = resolve as (value: unknown) => void;
  nextReject = reject;
}

/**
 * One call under a deadline and the caller's signal: its scope, its slot in a
 * lane, and (once {@link DeadlineCall.pending} made it) the promise its
 * caller holds. A call that answers in the caller's own turn never needs the
 * promise or the lane. Subclasses hear about a timeout through `timedOut()`.
 */
export class DeadlineCall<T = unknown> implements CallScope {
  readonly operation: string;
  /** Milliseconds, `Infinity` for none. */
  readonly timeout: number;
  /** Clock time (`Date.now()`) the call times out at; `Infinity` for none. */
  readonly deadline: number;
  /** False once the call resolved, rejected, timed out or was aborted. */
  live = true;
  /** The lane watching this call's deadline, while it does. */
  lane: Lane | undefined;
  expired = false;
  readonly #callerSignal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  // Typed loosely so a DeadlineCall<T> fits a lane of DeadlineCall<unknown>; only `resolve(value: T)` calls it.
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;

  /** `started`: when the call began, if it was read from the clock already (default: now). */
  constructor(
    timeout: number | undefined,
    signal: AbortSignal | undefined,
    operation: string,
    started?: number,
  ) {
    this.operation = operation;
    this.timeout = timeout ?? Infinity;
    this.deadline = this.timeout === Infinity ? Infinity : (started ?? Date.now()) + this.timeout;
    this.#callerSignal = signal;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.expired && !this.#controller.signal.aborted) this.#controller.abort();
    return this.#controller.signal;
  }

  /** Whether the caller's signal has aborted (perhaps while the call ran in the caller's turn). */
  callerAborted(): boolean {
    return this.#callerSignal?.aborted === true;
  }

  /** Whether the deadline has passed by the clock (the lane's timer may not have run yet). */
  overdue(): boolean {
    return this.deadline !== Infinity && Date.now() >= this.deadline;
  }

  /**
   * The caller's promise, watched by `deadlines` and the caller's signal from
   * now on. Called at most once, and only for a call that did not answer in
   * the caller's turn.
   */
  pending(deadlines: Deadlines): Promise<T> {
    const promise = new Promise<T>(capture);
    this.#resolve = nextResolve;
    this.#reject = nextReject;
    if (this.deadline !== Infinity) deadlines.track(this);
    const signal = this.#callerSignal;
    if (signal !== undefined) {
      // The call itself is the listener (`handleEvent`): no closure per call.
      signal.addEventListener("abort", this, { once: true });
      // Aborted while the call ran in the caller's turn: the event has fired already.
      if (signal.aborted) this.handleEvent();
    }
    return promise;
  }

  /** Resolves the caller's promise, unless the call already ended; past the deadline it times out instead. */
  resolve(value: T): void {
    if (this.live && this.overdue()) return this.expire();
    this.settle(true, value);
  }

  /** Rejects the caller's promise, unless the call already ended; past the deadline it times out instead. */
  reject(error: unknown): void {
    if (this.live && this.overdue()) return this.expire();
    this.settle(false, error);
  }

  /** Settles the caller's promise unless the call already ended, without looking at the clock (the caller just did). */
  protected settle(ok: boolean, outcome: unknown): void {
    if (!this.live) return;
    this.#end();
    if (ok) this.#resolve!(outcome);
    else this.#reject!(outcome);
  }

  /** Times the call out now: its scope aborts, `timedOut()` runs, its promise rejects with a `TimeoutError`. */
  expire(): void {
    if (!this.live) return;
    this.#end();
    const error = new TimeoutError(this.operation, this.timeout);
    this.#abortScope(error);
    this.timedOut();
    this.#reject?.(error);
  }

  /** Runs once when the call times out, before it rejects. */
  protected timedOut(): void {}

  /** The caller's signal aborted. */
  handleEvent(): void {
    if (!this.live) return;
    const reason = this.#callerSignal!.reason;
    this.#end();
    this.#abortScope(reason);
    this.#reject!(reason);
  }

  #end(): void {
    this.live = false;
    this.#callerSignal?.removeEventListener("abort", this);
    const lane = this.lane;
    if (lane !== undefined) {
      this.lane = undefined;
      lane.ended();
    }
  }

  #abortScope(reason: unknown): void {
    this.expired = true;
    this.#controller?.abort(reason);
  }
}

class Lane {
  // Calls in deadline order between head and tail. Slots are reused rather
  // than the array resized: setting an array's length on every call is slow.
  readonly items: (DeadlineCall | undefined)[] = [];
  head = 0;
  tail = 0;
  /** How many calls between head and tail are still live. */
  live = 0;
  timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A watched call ended. When none is left the timer is cleared: an armed
   * timer keeps a process alive, and one left for a call that already
   * answered would hold the process for the rest of that call's timeout.
   */
  ended(): void {
    if (--this.live > 0) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.items.fill(undefined, this.head, this.tail);
    this.head = this.tail = 0;
  }
}

class RunCall<T> extends DeadlineCall<T> {
  readonly #onExpire: (() => void) | undefined;
  constructor(options: DeadlineOptions) {
    super(options.timeout, options.signal, options.operation);
    this.#onExpire = options.onExpire;
  }
  protected override timedOut(): void {
    this.#onExpire?.();
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
   * when `timeout` passes first (or the operation settles after it), or with
   * the signal's reason when it aborts. The operation is told through its
   * scope and should stop.
   */
  run<T>(operation: (scope: CallScope) => Promise<T>, options: DeadlineOptions): Promise<T> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const call = new RunCall<T>(options);
    if (call.timeout === Infinity && signal === undefined) return operation(call);
    const promise = call.pending(this);
    operation(call).then((value) => call.resolve(value), (error: unknown) => call.reject(error));
    return promise;
  }

  /**
   * Watches `call` until its deadline; a call still live then is expired.
   *
   * @internal Called by {@link DeadlineCall.pending}, the one way a call joins a lane.
   */
  track(call: DeadlineCall): void {
    let lane = this.#lanes.get(call.timeout);
    if (lane === undefined) this.#lanes.set(call.timeout, lane = new Lane());
    // Drop finished calls at the front first, so a steady stream of quick calls keeps the lane short.
    compact(lane);
    lane.items[lane.tail++] = call;
    lane.live++;
    call.lane = lane;
    if (lane.timer === undefined) this.#arm(lane, call.timeout);
  }

  /** Clears every timer; calls still running then never time out. */
  close(): void {
    for (const lane of this.#lanes.values()) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      for (let i = lane.head; i < lane.tail; i++) lane.items[i]!.lane = undefined;
    }
    this.#lanes.clear();
  }

  #arm(lane: Lane, delay: number): void {
    lane.timer = setTimeout(() => this.#fire(lane), Math.max(0, delay));
  }

  #fire(lane: Lane): void {
    lane.timer = undefined;
    const now = Date.now();
    while (lane.head < lane.tail) {
      const call = lane.items[lane.head]!;
      if (call.live && call.deadline > now) break;
      lane.items[lane.head++] = undefined;
      call.expire();
    }
    compact(lane);
    if (lane.head < lane.tail) this.#arm(lane, lane.items[lane.head]!.deadline - now);
  }
}

function compact(lane: Lane): void {
  const { items } = lane;
  while (lane.head < lane.tail && !items[lane.head]!.live) items[lane.head++] = undefined;
  if (lane.head === lane.tail) {
    lane.head = lane.tail = 0;
  } else if (lane.head > 1024 && lane.head * 2 > lane.tail) {
    items.copyWithin(0, lane.head, lane.tail);
    items.fill(undefined, lane.tail - lane.head, lane.tail);
    lane.tail -= lane.head;
    lane.head = 0;
  }
}
