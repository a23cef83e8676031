// Delivering one message: the handler and its checkpoint's commit, retries
// with backoff, then parking. Shared by every consumer kind, so the
// at-least-once rules live in one place.

import type { RecordedMessage } from "../message.ts";
import { type AttemptFailure, attemptInCommit, attemptOutside } from "./_attempt.ts";
import { backoffDelay, deliveryRetries } from "./backoff.ts";
import { type DeliveryEnv, LINES, report, retryable, worked } from "./_delivery_env.ts";
import { type EffectsDone, keepEffectsAfterRollback } from "./_handler_context.ts";
import { keepTrying } from "./_keep_trying.ts";
import { park } from "./_park.ts";
import { sleep } from "../_sleep.ts";
import type { CheckpointUpdate, LeaseFence } from "./storage.ts";

/** How a delivery ended. */
export type DeliveryOutcome = "handled" | "parked" | "fenced" | "stopped";

/** Where the delivery's commit goes. */
export interface DeliveryTarget {
  readonly partition: number;
  /** The checkpoint after this message. */
  readonly position: bigint;
  readonly lease?: LeaseFence;
  /** Stops retrying (the handler call in progress still finishes). */
  readonly signal: AbortSignal;
  /** The `once` effects that already ran (carried over from rolled-back pages). */
  readonly effectsDone?: EffectsDone;
}

/** Delivers `message` until handled, parked, fenced out, or stopped while waiting to retry. */
export async function deliver<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  target: DeliveryTarget,
): Promise<DeliveryOutcome> {
  const { partition, signal } = target;
  const update = { group: env.group, partition, position: target.position, lease: target.lease };
  // Scopes whose `once` effect ran during this delivery: on a single-connection
  // storage the record of it rolls back with a failed attempt, and this is
  // what still tells the retry (in this process) that the effect happened.
  const effectsDone: EffectsDone = target.effectsDone ?? new Map();
  const nextDelay = retryDecision(env, message, partition);
  let storageFailures = 0;
  for (let attempt = 1;;) {
    const call = { partition, attempt, effectsDone };
    const outcome = await env.limiter.run(() =>
      env.commit === "after-handler"
        ? attemptOutside(env, message, call)
        : attemptInCommit(env, message, update, call)
    );
    if (outcome === undefined) return await commitAfterHandler(env, message, update, signal);
    if (typeof outcome === "boolean") {
      worked(env, "storage");
      return outcome ? "handled" : "fenced";
    }
    if (env.commit !== "after-handler") await keepEffectsAfterRollback(env, effectsDone);
    if (outcome.phase === "storage") {
      // Not the message's fault: retried without counting against the message.
      const context = { phase: "storage", partition, message, attempt: attempt - 1 } as const;
      if (!retryable(env, outcome.error, context)) return "stopped";
      if (!(await sleep(backoffDelay(env.retry, ++storageFailures), signal))) return "stopped";
      continue;
    }
    storageFailures = 0;
    report(env, outcome.error, { phase: "handler", partition, message, attempt });
    const delay = await nextDelay(attempt, outcome);
    if (delay === undefined) {
      return await park(env, message, update, { attempts: attempt, error: outcome.error, signal });
    }
    if (!(await sleep(delay, signal))) return "stopped";
    attempt++;
  }
}

/**
 * The retry rule of one delivery: the wait before the next attempt, or
 * `undefined` to park now. An error `parkAtOnce` accepts parks at once; so
 * does a broken rule or predicate, reported first: it must not stall the consumer.
 */
function retryDecision<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  partition: number,
): (attempt: number, failure: AttemptFailure) => Promise<number | undefined> {
  let asking = 0;
  const reportRuleError = (ruleError: unknown) =>
    report(env, ruleError, { phase: "handler", partition, message, attempt: asking }, LINES.rule);
  // Made per delivery: a policy's own rule may keep state for this message.
  const nextDelay = deliveryRetries(env.retry, reportRuleError);
  return async (attempt, failure) => {
    asking = attempt;
    try {
      if (env.parkAtOnce?.(failure.error) === true) return undefined;
    } catch (predicateError) {
      reportRuleError(predicateError);
      return undefined;
    }
    return await nextDelay(attempt, failure.error);
  };
}

/** Commits the checkpoint after a handler that ran outside any transaction; only the commit is retried. */
async function commitAfterHandler<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  update: CheckpointUpdate,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const committed = await keepTrying(
    env,
    { phase: "storage", partition: update.partition, message },
    signal,
    () => env.storage.checkpoints.commit(update, () => {}),
  );
  // Stopped before the commit: the message comes again, which at least once allows.
  if (committed === undefined) return "stopped";
  return committed.value ? "handled" : "fenced";
}
