// Work that is not the message's fault when it fails (a commit, a parked
// entry, the onParked hook) is tried again with backoff until it succeeds or
// the consumer stops: an outage must neither park healthy messages nor skip them.

import { backoffDelay } from "./backoff.ts";
import { type DeliveryEnv, report } from "./_delivery_env.ts";
import type { ConsumerErrorContext } from "./handler.ts";
import { sleep } from "../_sleep.ts";

/**
 * Runs `work` until it resolves, reporting each failure with `context` and
 * waiting with the policy's backoff in between. Resolves `{ value }`, or
 * `undefined` when `signal` aborted while waiting.
 */
export async function keepTrying<Tx, T>(
  env: DeliveryEnv<Tx>,
  context: ConsumerErrorContext,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<{ readonly value: T } | undefined> {
  for (let failures = 1;; failures++) {
    try {
      return { value: await work() };
    } catch (error) {
      report(env, error, context);
      if (!(await sleep(backoffDelay(env.retry, failures), signal))) return undefined;
    }
  }
}
