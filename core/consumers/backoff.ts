/**
 * Retry policy of consumer handlers: exponential backoff with full jitter
 * (a delay drawn uniformly between 0 and the exponential cap), which spreads
 * retries of many consumers that failed together instead of having them hit a
 * recovering dependency in lockstep. A policy may instead bring its own rule
 * (`delays`), which is how an Effect `Schedule` drives retries (ordo/effect).
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { checkOptions } from "../options.ts";

const RETRY_POLICY_KEYS: readonly string[] = [
  "maxAttempts",
  "initialDelay",
  "maxDelay",
  "multiplier",
  "random",
  "delays",
];

/** How a failing handler is retried before its message is parked. */
export interface RetryPolicy {
  /** Handler calls per message before it is parked, the first included. Default 5. Not used with `delays`. */
  readonly maxAttempts?: number;
  /** Cap of the first retry's delay, in milliseconds. Default 100. */
  readonly initialDelay?: number;
  /** Largest delay cap, in milliseconds. Default 30,000. */
  readonly maxDelay?: number;
  /** Growth of the cap per attempt. Default 2. */
  readonly multiplier?: number;
  /** Source of randomness in [0, 1); default `Math.random`. Tests pass a fixed one. */
  readonly random?: () => number;
  /**
   * Your own rule for handler failures, in place of `maxAttempts` and the
   * exponential delays: it alone decides how long to wait and when to park.
   * It is called once per message delivery (so it may keep state for that
   * message, and messages delivered at once do not share it) and returns the
   * function asked after each failed attempt. The other fields still pace
   * retries after storage failures, and are the fallback of code that retries
   * without asking the rule.
   */
  readonly delays?: () => NextRetryDelay;
}

/**
 * Asked after handler attempt number `attempt` (1 for the first) failed with
 * `error`: the milliseconds to wait before the next attempt, or `undefined`
 * to park the message now.
 */
export type NextRetryDelay = (
  attempt: number,
  error: unknown,
) => number | undefined | Promise<number | undefined>;

/** A {@link RetryPolicy} with every default filled in and checked; `delays` stays optional. */
export type CheckedRetryPolicy =
  & Required<Omit<RetryPolicy, "delays">>
  & Pick<RetryPolicy, "delays">;

/** The defaults: 5 attempts, delays capped at 100 ms, 200 ms, 400 ms, 800 ms. */
export const DEFAULT_RETRY_POLICY: CheckedRetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelay: 100,
  maxDelay: 30_000,
  multiplier: 2,
  random: Math.random,
});

function isPolicyObject(policy: unknown): boolean {
  return typeof policy === "object" && policy !== null && !Array.isArray(policy);
}

/**
 * The refusal of a `retry` that is not a policy object, saying what to write
 * instead: `5` or `"5"` is not a number of attempts, `true` not "the
 * defaults" (a spread of either used to leave the defaults, silently).
 * `falseAllowed` when `false` (no retries) is one of the option's forms.
 *
 * @example
 * ```ts
 * import { notARetryPolicy } from "./backoff.ts";
 * notARetryPolicy(5, "options.retry", true).message;
 * // Invalid options.retry 5: expected a retry policy { maxAttempts?, initialDelay?, maxDelay?, multiplier? } or false for none; for 5 attempts in all, write { maxAttempts: 5 }
 * ```
 */
export function notARetryPolicy(
  policy: unknown,
  path: string,
  falseAllowed: boolean,
): ValidationError {
  const count = typeof policy === "number"
    ? policy
    : typeof policy === "string" && /^\d+$/.test(policy.trim())
    ? Number(policy)
    : undefined;
  const hint = count !== undefined && Number.isInteger(count) && count >= 1
    ? `; for ${count} attempts in all, write { maxAttempts: ${count} }`
    : policy === true
    ? "; retries are on by default: leave retry out, or write { maxAttempts: … }"
    : "";
  return new ValidationError(
    path,
    policy,
    `expected a retry policy { maxAttempts?, initialDelay?, maxDelay?, multiplier? }${
      falseAllowed ? " or false for none" : ""
    }${hint}`,
  );
}

/**
 * Fills in the defaults of a retry policy and checks it.
 *
 * @throws {ValidationError} naming the field that is out of range, or a key that is not a policy's
 * @example
 * ```ts
 * import { checkRetryPolicy } from "./backoff.ts";
 * checkRetryPolicy({ maxAttempts: 3 }).initialDelay; // 100
 * ```
 */
export function checkRetryPolicy(
  policy: RetryPolicy = {},
  path = "options.retry",
): CheckedRetryPolicy {
  if (!isPolicyObject(policy)) throw notARetryPolicy(policy, path, false);
  checkOptions(policy, RETRY_POLICY_KEYS, path);
  const checked: CheckedRetryPolicy = { ...DEFAULT_RETRY_POLICY, ...withoutUndefined(policy) };
  if (!Number.isInteger(checked.maxAttempts) || checked.maxAttempts < 1) {
    throw new ValidationError(
      `${path}.maxAttempts`,
      checked.maxAttempts,
      "must be an integer of at least 1",
    );
  }
  for (const field of ["initialDelay", "maxDelay"] as const) {
    if (!Number.isFinite(checked[field]) || checked[field] < 0) {
      throw new ValidationError(
        `${path}.${field}`,
        checked[field],
        "must be a finite number of milliseconds, 0 or more",
      );
    }
  }
  if (!Number.isFinite(checked.multiplier) || checked.multiplier < 1) {
    throw new ValidationError(
      `${path}.multiplier`,
      checked.multiplier,
      "must be a finite number of at least 1",
    );
  }
  if (typeof checked.random !== "function") {
    throw new ValidationError(
      `${path}.random`,
      checked.random,
      "must be a function returning a number in [0, 1)",
    );
  }
  if (checked.delays !== undefined && typeof checked.delays !== "function") {
    throw new ValidationError(
      `${path}.delays`,
      checked.delays,
      "must be a function returning the retry rule of one delivery",
    );
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
  // Past about a thousand attempts the growth overflows to Infinity, and 0 × Infinity is NaN:
  // a policy of no delay stays no delay however long it runs.
  const grown = policy.initialDelay === 0
    ? 0
    : policy.initialDelay * policy.multiplier ** Math.max(0, attempt - 1);
  const cap = Math.min(policy.maxDelay, grown);
  return Math.floor(policy.random() * cap);
}

/**
 * The retry rule of one message delivery: after a failed handler attempt it
 * resolves the wait before the next one, or `undefined` once the message is to
 * be parked. Without `delays` that is {@link backoffDelay} until `maxAttempts`;
 * with it, the policy's own rule, made afresh by this call.
 *
 * Given `onRuleError`, a rule that fails (throws, or answers something that
 * is not a delay) is reported there and the message is parked (`undefined`),
 * so a broken rule never stalls the delivery that asks it.
 *
 * @throws {ValidationError} (as a rejection, only without `onRuleError`) when the rule answers something other than a finite number of ms, 0 or more, or `undefined`
 * @example
 * ```ts
 * import { checkRetryPolicy, deliveryRetries } from "./backoff.ts";
 * const next = deliveryRetries(checkRetryPolicy({ delays: () => (attempt) => attempt < 3 ? 10 * attempt : undefined }));
 * await next(1, new Error("x")); // 10
 * await next(3, new Error("x")); // undefined: park
 * ```
 */
export function deliveryRetries(
  policy: CheckedRetryPolicy,
  onRuleError?: (ruleError: unknown) => void,
): (attempt: number, error: unknown) => Promise<number | undefined> {
  const next = deliveryRule(policy);
  if (onRuleError === undefined) return next;
  return (attempt, error) =>
    next(attempt, error).catch((ruleError) => {
      onRuleError(ruleError);
      return undefined;
    });
}

function deliveryRule(
  policy: CheckedRetryPolicy,
): (attempt: number, error: unknown) => Promise<number | undefined> {
  const rule = policy.delays?.();
  return async (attempt, error) => {
    if (rule === undefined) {
      return attempt < policy.maxAttempts ? backoffDelay(policy, attempt) : undefined;
    }
    const delay = await rule(attempt, error);
    if (
      delay !== undefined && (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0)
    ) {
      throw new ValidationError(
        "retry.delays() answer",
        delay,
        "must be a finite number of milliseconds, 0 or more, or undefined to park",
      );
    }
    return delay;
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
