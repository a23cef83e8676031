// Work that is not the message's fault when it fails (a commit, a parked
// entry, the onParked hook) is tried again with backoff until it succeeds or
// the consumer stops: an outage must neither park healthy messages nor skip
// them. An error retrying cannot fix ends the consumer instead.

import { backoffDelay } from "./backoff.ts";
import { type DeliveryEnv, retryable, worked } from "./_delivery_env.ts";
import type { ConsumerErrorContext } from "./handler.ts";
import { sleep } from "../_sleep.ts";

/**
 * Runs `work` until it resolves, reporting each failure with `context` and
 * waiting with the policy's backoff in between. Resolves `{ value }`, or
 * `undefined` when `signal` aborted while waiting or the error cannot be
 * fixed by retrying (the consumer is then failing).
 */
export async function keepTrying<Tx, T>(
  env: DeliveryEnv<Tx>,
  context: ConsumerErrorContext,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<{ readonly value: T } | undefined> {
  for (let failures = 1;; failures++) {
    try {
      const value = await work();
      if (context.phase === "storage") worked(env, "storage");
      return { value };
    } catch (error) {
      if (!retryable(env, error, context)) return undefined;
      if (!(await sleep(backoffDelay(env.retry, failures), signal))) return undefined;
    }
  }
}
