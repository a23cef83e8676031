/**
 * Retry policy of consumer handlers: exponential backoff with full jitter
 * (a delay drawn uniformly between 0 and the exponential cap), which spreads
 * retries of many consumers that failed together instead of having them hit a
 * recovering dependency in lockstep.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";

/** How a failing handler is retried before its message is parked. */
export interface RetryPolicy {
  /** Handler calls per message before it is parked, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Cap of the first retry's delay, in milliseconds. Default 100. */
  readonly initialDelay?: number;
  /** Largest delay cap, in milliseconds. Default 30,000. */
  readonly maxDelay?: number;
  /** Growth of the cap per attempt. Default 2. */
  readonly multiplier?: number;
  /** Source of randomness in [0, 1); default `Math.random`. Tests pass a fixed one. */
  readonly random?: () => number;
}

/** A {@link RetryPolicy} with every default filled in and checked. */
export type CheckedRetryPolicy = Required<RetryPolicy>;

/** The defaults: 5 attempts, delays capped at 100 ms, 200 ms, 400 ms, 800 ms. */
export const DEFAULT_RETRY_POLICY: CheckedRetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelay: 100,
  maxDelay: 30_000,
  multiplier: 2,
  random: Math.random,
});

/**
 * Fills in the defaults of a retry policy and checks it.
 *
 * @throws {ValidationError} naming the field that is out of range
 * @example
 * ```ts
 * import { checkRetryPolicy } from "./backoff.ts";
 * checkRetryPolicy({ maxAttempts: 3 }).initialDelay; // 100
 * ```
 */
export function checkRetryPolicy(policy: RetryPolicy = {}, path = "options.retry"): CheckedRetryPolicy {
  const checked = { ...DEFAULT_RETRY_POLICY, ...withoutUndefined(policy) };
  if (!Number.isInteger(checked.maxAttempts) || checked.maxAttempts < 1) {
    throw new ValidationError(`${path}.maxAttempts`, checked.maxAttempts, "must be an integer of at least 1");
  }
  for (const field of ["initialDelay", "maxDelay"] as const) {
    if (!Number.isFinite(checked[field]) || checked[field] < 0) {
      throw new ValidationError(`${path}.${field}`, checked[field], "must be a finite number of milliseconds, 0 or more");
    }
  }
  if (!Number.isFinite(checked.multiplier) || checked.multiplier < 1) {
    throw new ValidationError(`${path}.multiplier`, checked.multiplier, "must be a finite number of at least 1");
  }
  if (typeof checked.random !== "function") {
    throw new ValidationError(`${path}.random`, checked.random, "must be a function returning a number in [0, 1)");
  }
  return checked;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): uniform
 * in [0, min(maxDelay, initialDelay × multiplier^(attempt − 1))].
 *
 * @example
 * ```ts
 * import { backoffDelay, checkRetryPolicy } from "./backoff.ts";
 * const policy = checkRetryPolicy({ random: () => 0.5 });
 * backoffDelay(policy, 3); // 200: half of the 400 ms cap
 * ```
 */
export function backoffDelay(policy: CheckedRetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelay, policy.initialDelay * policy.multiplier ** Math.max(0, attempt - 1));
  return Math.floor(policy.random() * cap);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
