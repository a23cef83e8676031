/**
 * One client call made safe: an overall deadline (and the caller's signal),
 * retries with backoff and jitter for what is safe to retry, and a circuit
 * breaker consulted before every attempt. Every bus call goes through one.
 *
 * @module
 */

import type { CheckedRetryPolicy } from "../consumers/mod.ts";
import { CircuitOpenError, isRetryable, PeerUnreachableError } from "../errors.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import { type CallScope, DeadlineCall, Deadlines } from "./deadline.ts";
import { isHandlerAnswer } from "./handler_answers.ts";
import { retryCall } from "./retry.ts";

/** Options of {@link CallGuard.run}. */
export interface GuardedCallOptions {
  /** Overall milliseconds for the call, retries included. */
  readonly timeout?: number;
  /** Aborting rejects the call with the signal's reason; no attempt starts after it. */
  readonly signal?: AbortSignal;
  /** Names the call in errors (`send "users/lock"`). */
  readonly operation: string;
}

/**
 * Whether a failure says the other side is unhealthy (and so counts against
 * the breaker): exactly the retryable ones (unreachable, unavailable, did not
 * answer in time), by core's one table, unless a handler threw it
 * ({@link isHandlerAnswer}). A refusal, a handler's own error and an open
 * circuit are answers, not failures of health.
 *
 * @example
 * ```ts
 * import { CircuitOpenError, TimeoutError } from "../errors.ts";
 * import { countsAgainstBreaker } from "./call_guard.ts";
 * countsAgainstBreaker(new TimeoutError("query", 10)); // true
 * countsAgainstBreaker(new CircuitOpenError("query", 900)); // false
 * ```
 */
export function countsAgainstBreaker(error: unknown): boolean {
  return isRetryable(error) && !isHandlerAnswer(error);
}

/** Whether `value` is a promise (or any thenable) rather than an answer given at once. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

/**
 * Deadline + retry + breaker around calls. Outcomes reach the breaker once
 * per attempt: success (including a refusal, which proves the other side
 * answered), failure (unavailable, timed out, or answered after the
 * deadline), or release (the caller aborted while it ran: at once, and what
 * the attempt brings later is not heard).
 *
 * A call may answer in the caller's own turn (return a value, not a
 * promise): then it costs no lane entry and no promise beyond the caller's,
 * and its deadline is checked against the clock when it returns.
 *
 * @example
 * ```ts
 * import { checkRetryPolicy } from "../consumers/mod.ts";
 * import { CallGuard } from "./call_guard.ts";
 * const guard = new CallGuard({ retry: checkRetryPolicy({ maxAttempts: 1 }) });
 * await guard.run(async () => "ok", { operation: "demo", timeout: 100 }); // "ok"
 * guard.close();
 * ```
 */
export class CallGuard {
  /** The lanes that time out this guard's calls. */
  readonly deadlines: Deadlines = new Deadlines();
  /** Consulted before every attempt; `undefined` for none. */
  readonly breaker: CircuitBreaker | undefined;
  /** Paces retries of failures that are safe to retry (see `isRetryable`); `maxAttempts` bounds them. */
  readonly retry: CheckedRetryPolicy;

  /** What the breaker guards, named in its `CircuitOpenError` (a bus's peer URL or transport). */
  readonly guards: string | undefined;

  /** A guard with its own deadline lanes; `close()` it when done. */
  constructor(
    options: {
      readonly breaker?: CircuitBreaker;
      readonly retry: CheckedRetryPolicy;
      readonly guards?: string;
    },
  ) {
    this.breaker = options.breaker;
    this.retry = options.retry;
    this.guards = options.guards;
  }

  /** Runs `call` under the guard; see the class summary. */
  run<T>(call: (scope: CallScope) => T | PromiseLike<T>, options: GuardedCallOptions): Promise<T> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const breaker = this.breaker;
    if (breaker !== undefined && !breaker.tryAcquire()) {
      return Promise.reject(circuitOpen(this, options.operation));
    }
    const guarded = new GuardedCall<T>(this, call, options, undefined);
    let answer: T | PromiseLike<T>;
    try {
      answer = call(guarded);
    } catch (error) {
      return guarded.failedFirst(error);
    }
    return isThenable(answer) ? guarded.follow(answer) : guarded.answeredAtOnce(answer);
  }

  /**
   * Runs `call(argument)` under the guard, for calls that need no scope (a
   * transport's direct calls): when it answers in this turn, nothing is
   * allocated for the call but the caller's promise. What a direct call
   * throws is an answer (nothing between it and the handler can fail): it is
   * not retried and does not count against the breaker.
   */
  runDirect<A, T>(
    call: (argument: A) => T | PromiseLike<T>,
    argument: A,
    options: GuardedCallOptions,
  ): Promise<T> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const breaker = this.breaker;
    if (breaker !== undefined && !breaker.tryAcquire()) {
      return Promise.reject(circuitOpen(this, options.operation));
    }
    const timeout = options.timeout ?? Infinity;
    const started = timeout === Infinity ? 0 : Date.now();
    let answer: T | PromiseLike<T>;
    try {
      answer = call(argument);
    } catch (error) {
      return new GuardedCall<T>(this, () => call(argument), options, started, true)
        .failedFirst(error);
    }
    if (isThenable(answer)) {
      return new GuardedCall<T>(this, () => call(argument), options, started, true).follow(answer);
    }
    if ((timeout !== Infinity && Date.now() - started >= timeout) || signal?.aborted) {
      return new GuardedCall<T>(this, () => call(argument), options, started).answeredAtOnce(
        answer,
      );
    }
    breaker?.success();
    return Promise.resolve(answer);
  }

  /** Clears the deadline timers. */
  close(): void {
    this.deadlines.close();
  }
}

/**
 * A call and its attempts. The breaker's bookkeeping lives here, fused with
 * the deadline's: `#reported` says whether the current attempt's outcome has
 * reached the breaker (through the attempt, or through a timeout).
 */
class GuardedCall<T> extends DeadlineCall<T> {
  readonly #guard: CallGuard;
  readonly #call: (scope: CallScope) => T | PromiseLike<T>;
  /** Whether the current attempt's outcome has reached the breaker. The first attempt holds a slot already: callers acquire it before constructing. */
  #reported: boolean;
  /** Every error of the call is an answer (a direct in-process call: nothing between it and the handler can fail). */
  readonly #answers: boolean;
  /** The first attempt whose request was sent before its connection dropped. */
  #dropped: PeerUnreachableError | undefined;

  constructor(
    guard: CallGuard,
    call: (scope: CallScope) => T | PromiseLike<T>,
    options: GuardedCallOptions,
    started: number | undefined,
    answers = false,
  ) {
    super(options.timeout, options.signal, options.operation, started);
    this.#guard = guard;
    this.#call = call;
    this.#reported = guard.breaker === undefined;
    this.#answers = answers;
  }

  /** The first attempt answered in the caller's turn. */
  answeredAtOnce(answer: T): Promise<T> {
    if (this.overdue()) return this.#timedOutAtOnce();
    if (this.callerAborted()) return this.#abortedAtOnce(true, answer);
    this.#report(true, answer);
    this.live = false;
    return Promise.resolve(answer);
  }

  /** The first attempt answered with a promise: from here the deadline's lane and the caller's signal watch the call. */
  follow(answer: PromiseLike<T>): Promise<T> {
    const promise = this.pending(this.#guard.deadlines);
    answer.then(
      (value) => {
        if (this.#arrived(true, value)) this.settle(true, value);
      },
      (error: unknown) => {
        if (this.#arrived(false, error)) this.#retryOrReject(error);
      },
    );
    return promise;
  }

  /** The first attempt threw in the caller's turn; the retry loop is entered only now, so calls that succeed skip it. */
  failedFirst(error: unknown): Promise<T> {
    if (this.overdue()) return this.#timedOutAtOnce();
    if (this.callerAborted()) return this.#abortedAtOnce(false, error);
    this.#report(false, error);
    if (!this.#mayRetry(error)) {
      this.live = false;
      return Promise.reject(error);
    }
    const promise = this.pending(this.#guard.deadlines);
    this.#retryOrReject(error);
    return promise;
  }

  /** The first attempt ended in the caller's turn, but after the deadline: a TimeoutError, whatever it brought. */
  #timedOutAtOnce(): Promise<T> {
    const promise = this.pending(this.#guard.deadlines);
    this.expire();
    return promise;
  }

  /**
   * The caller's signal aborted while the first attempt ran in the caller's
   * turn: the abort wins, as it would have against a promise. The attempt
   * did end, so the breaker hears its outcome (before `pending` sees the
   * abort, which would only release the slot).
   */
  #abortedAtOnce(ok: boolean, outcome: unknown): Promise<T> {
    this.#report(ok, outcome);
    return this.pending(this.#guard.deadlines); // sees the aborted signal and rejects with its reason
  }

  /**
   * The caller's signal aborted while an attempt ran: the slot goes back to
   * the breaker now, counted neither way. The caller's giving up says
   * nothing about the other side's health, and whatever the attempt brings
   * later no one waits for: heard as a success, an abandoned call would
   * close a half-open breaker; unreported, a probe whose handler never
   * ends would hold the half-open breaker's only trial slot for good.
   */
  override handleEvent(): void {
    if (this.live && !this.#reported) {
      this.#reported = true;
      this.#guard.breaker!.release();
    }
    super.handleEvent();
  }

  protected override timedOut(): void {
    const breaker = this.#guard.breaker;
    if (breaker !== undefined && !this.#reported) {
      this.#reported = true;
      breaker.failure();
    }
  }

  /**
   * An attempt ended. Past the deadline it is a timeout whatever it brought
   * (`expire()` rejects the call and tells the breaker); otherwise the breaker
   * hears its outcome. True when the call is still live and in time.
   */
  #arrived(ok: boolean, outcome: unknown): boolean {
    if (this.live && this.overdue()) {
      this.expire();
      return false;
    }
    this.#report(ok, outcome);
    return this.live;
  }

  #mayRetry(error: unknown): boolean {
    return this.#guard.retry.maxAttempts > 1 && !this.#answers && isRetryable(error) &&
      !isHandlerAnswer(error);
  }

  #retryOrReject(error: unknown): void {
    if (!this.#mayRetry(error)) return this.settle(false, error);
    this.#noteDrop(error);
    retryCall(() => this.#attempt(), {
      policy: this.#guard.retry,
      signal: () => this.signal,
      firstFailure: { error },
    })
      .then(
        (value) => this.settle(true, value),
        (failure: unknown) => this.settle(false, this.#withEarlierDrop(failure)),
      );
  }

  /**
   * The last attempt's failure, saying so when an earlier attempt's request
   * was sent and its connection dropped (the other side may have run it):
   * the last attempt alone (a refused connection) would say it never arrived.
   */
  #withEarlierDrop(failure: unknown): unknown {
    const dropped = this.#dropped;
    if (dropped === undefined) return failure;
    // The breaker opened during the retries: its refusal alone would hide that the call may have run.
    if (failure instanceof CircuitOpenError && !failure.requestSent) {
      return new CircuitOpenError(failure.operation, failure.retryAfter, {
        guards: failure.guards,
        cause: failure.cause,
        earlierDrop: dropped.detail,
      });
    }
    if (!(failure instanceof PeerUnreachableError) || failure.requestSent) return failure;
    return new PeerUnreachableError(
      failure.operation,
      failure.peer,
      `${dropped.detail}; then: ${failure.detail}`,
      { cause: failure, requestSent: true },
    );
  }

  /** Notes an attempt's failure whose request was sent before its connection dropped. */
  #noteDrop(error: unknown): void {
    if (error instanceof PeerUnreachableError && error.requestSent) this.#dropped ??= error;
  }

  /** A retry: asks the breaker again; its outcome goes through `#arrived` like the first attempt's. */
  async #attempt(): Promise<T> {
    const breaker = this.#guard.breaker;
    if (breaker !== undefined) {
      if (!breaker.tryAcquire()) throw circuitOpen(this.#guard, this.operation);
      this.#reported = false;
    }
    let value: T;
    try {
      value = await this.#call(this);
    } catch (error) {
      this.#arrived(false, error);
      this.#noteDrop(error);
      throw error;
    }
    this.#arrived(true, value);
    return value;
  }

  /** Tells the breaker how the current attempt ended, once. */
  #report(ok: boolean, outcome: unknown): void {
    if (this.#reported) return;
    this.#reported = true;
    const breaker = this.#guard.breaker!;
    if (ok) breaker.success();
    else if (!this.#answers && countsAgainstBreaker(outcome)) breaker.failure(outcome);
    else if (this.expired) breaker.release();
    else breaker.success();
  }
}

/** The refusal of an open breaker: naming what it guards and, as `cause`, the failure that opened it. */
function circuitOpen(guard: CallGuard, operation: string): CircuitOpenError {
  const breaker = guard.breaker!;
  return new CircuitOpenError(operation, breaker.retryAfter, {
    guards: guard.guards,
    cause: breaker.openedBy,
  });
}
