/**
 * One client call made safe: an overall deadline (and the caller's signal),
 * retries with backoff and jitter for what is safe to retry, and a circuit
 * breaker consulted before every attempt. Every bus call goes through one.
 *
 * @module
 */

import type { CheckedRetryPolicy } from "../consumers/backoff.ts";
import { StoreUnavailableError, TimeoutError } from "../errors.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import { type CallScope, Deadlines } from "./deadline.ts";
import { circuitOpenError, isCircuitOpenError, retryCall } from "./retry.ts";

/** Options of {@link CallGuard.run}. */
export interface GuardedCallOptions {
  /** Overall milliseconds for the call, retries included. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Names the call in errors (`send "users/lock"`). */
  readonly operation: string;
}

/**
 * Whether a failure says the other side is unhealthy (and so counts against
 * the breaker): it was unavailable, or did not answer in time.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "../errors.ts";
 * import { countsAgainstBreaker } from "./call_guard.ts";
 * countsAgainstBreaker(new TimeoutError("query", 10)); // true
 * ```
 */
export function countsAgainstBreaker(error: unknown): boolean {
  return (error instanceof StoreUnavailableError && !isCircuitOpenError(error)) || error instanceof TimeoutError;
}

interface Attempt {
  reported: boolean;
}

/**
 * Deadline + retry + breaker around calls. Outcomes reach the breaker once
 * per attempt: success (including a refusal, which proves the other side
 * answered), failure (unavailable or timed out), or release (the caller gave up).
 *
 * @example
 * ```ts
 * import { checkRetryPolicy } from "../consumers/backoff.ts";
 * import { CallGuard } from "./call_guard.ts";
 * const guard = new CallGuard({ retry: checkRetryPolicy({ maxAttempts: 1 }) });
 * await guard.run(async () => "ok", { operation: "demo", timeout: 100 }); // "ok"
 * guard.close();
 * ```
 */
export class CallGuard {
  readonly #deadlines = new Deadlines();
  readonly #breaker: CircuitBreaker | undefined;
  readonly #retry: CheckedRetryPolicy;

  constructor(options: { readonly breaker?: CircuitBreaker; readonly retry: CheckedRetryPolicy }) {
    this.#breaker = options.breaker;
    this.#retry = options.retry;
  }

  /** Runs `call` under the guard; see the class summary. */
  run<T>(call: (scope: CallScope) => Promise<T>, options: GuardedCallOptions): Promise<T> {
    const breaker = this.#breaker;
    let current: Attempt | undefined;
    const attemptOnce = breaker === undefined ? undefined : async (scope: CallScope): Promise<T> => {
      if (!breaker.tryAcquire()) throw circuitOpenError(options.operation, breaker.retryAfter);
      const attempt: Attempt = current = { reported: false };
      try {
        const value = await call(scope);
        if (!attempt.reported) {
          attempt.reported = true;
          breaker.success();
        }
        return value;
      } catch (error) {
        if (!attempt.reported) {
          attempt.reported = true;
          if (countsAgainstBreaker(error)) breaker.failure();
          else if (scope.expired) breaker.release();
          else breaker.success();
        }
        throw error;
      }
    };
    const body = attemptOnce ?? call;
    const policy = this.#retry;
    return this.#deadlines.run(
      (scope) => {
        // The first attempt runs directly: the retry loop (an async frame per
        // call) is entered only after a failure, so calls that succeed skip it.
        const first = body(scope);
        if (policy.maxAttempts === 1) return first;
        return first.catch((error: unknown) =>
          retryCall(() => body(scope), { policy, signal: () => scope.signal, firstFailure: { error } })
        );
      },
      {
        timeout: options.timeout,
        signal: options.signal,
        operation: options.operation,
        onExpire: () => {
          if (breaker !== undefined && current !== undefined && !current.reported) {
            current.reported = true;
            breaker.failure();
          }
        },
      },
    );
  }

  /** Clears the deadline timers. */
  close(): void {
    this.#deadlines.close();
  }
}
