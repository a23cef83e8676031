/**
 * What a client retries, and how: only failures whose tag is retryable in
 * core's one table (`isRetryable`: the other side could not be reached or did
 * not answer in time), never a refusal, a handler's own error or an open
 * circuit; and never past the call's deadline. Retrying is safe for every bus
 * call because commands and events carry their id (a retried append is
 * recognised by the store, a retried in-process send by the dedup table) and
 * query handlers must not change state. Delays use the consumers' backoff
 * with full jitter.
 *
 * @module
 */

import {
  backoffDelay,
  type CheckedRetryPolicy,
  checkRetryPolicy,
  notARetryPolicy,
  type RetryPolicy,
} from "../consumers/mod.ts";
import { sleep } from "../_sleep.ts";
import { isRetryable } from "../errors.ts";

/** Client-side retry defaults: 3 attempts, delays capped at 50 ms then 100 ms, at most 1 s. */
export const DEFAULT_CLIENT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialDelay: 50,
  maxDelay: 1000,
  multiplier: 2,
});

/**
 * Fills in the client retry defaults (`false`: one attempt only).
 *
 * @throws {ValidationError} at `options.retry` for anything but a policy object or `false`
 *
 * @example
 * ```ts
 * import { clientRetryPolicy } from "./retry.ts";
 * clientRetryPolicy(undefined).maxAttempts; // 3
 * ```
 */
export function clientRetryPolicy(policy: RetryPolicy | false | undefined): CheckedRetryPolicy {
  if (policy === false) return checkRetryPolicy({ maxAttempts: 1 }, "options.retry");
  // Checked before the spread: `...5` and `...true` spread nothing, and `..."5"` a key "0".
  if (
    policy !== undefined && (typeof policy !== "object" || policy === null || Array.isArray(policy))
  ) {
    throw notARetryPolicy(policy, "options.retry", true);
  }
  return checkRetryPolicy({ ...DEFAULT_CLIENT_RETRY, ...policy }, "options.retry");
}

/**
 * Calls `call` until it succeeds, fails in a way that is not retryable, runs
 * out of attempts, or `signal` aborts; sleeps with backoff and jitter between attempts.
 *
 * @example
 * ```ts
 * import { checkRetryPolicy } from "../consumers/mod.ts";
 * import { retryCall } from "./retry.ts";
 * await retryCall(async () => 42, { policy: checkRetryPolicy({ maxAttempts: 2 }) }); // 42
 * ```
 */
export async function retryCall<T>(
  call: (attempt: number) => Promise<T>,
  options: {
    readonly policy: CheckedRetryPolicy;
    readonly signal?: () => AbortSignal;
    readonly retryable?: (error: unknown) => boolean;
    /** The first attempt already ran (on the caller's fast path) and failed with this error. */
    readonly firstFailure?: { readonly error: unknown };
  },
): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  const again = async (error: unknown, attempt: number): Promise<boolean> => {
    if (attempt >= options.policy.maxAttempts || !retryable(error)) return false;
    const signal = options.signal?.();
    if (signal?.aborted) return false;
    return await sleep(backoffDelay(options.policy, attempt), signal);
  };
  let attempt = 1;
  if (options.firstFailure !== undefined) {
    if (!(await again(options.firstFailure.error, 1))) throw options.firstFailure.error;
    attempt = 2;
  }
  for (;; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (!(await again(error, attempt))) throw error;
    }
  }
}
