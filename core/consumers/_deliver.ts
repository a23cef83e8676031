// Delivering one message: the handler and the checkpoint in one commit,
// retries with backoff, then parking. Shared by every consumer kind and by
// parked-message replay, so the at-least-once rules live in one place.

import type { RecordedMessage } from "../message.ts";
import { backoffDelay, type CheckedRetryPolicy, deliveryRetries } from "./backoff.ts";
import type { ConsumerHooks, HandlerContext, MessageHandler } from "./handler.ts";
import type { Limiter } from "./_limiter.ts";
import { sleep } from "./_sleep.ts";
import type { ConsumerStorage, LeaseFence, ParkedMessage, StoredError } from "./storage.ts";

/** What delivering needs, fixed for a consumer's life. */
export interface DeliveryEnv<Tx> {
  readonly group: string;
  readonly storage: ConsumerStorage<Tx>;
  readonly handler: MessageHandler<Tx>;
  readonly retry: CheckedRetryPolicy;
  /** Whether a page of messages may share one commit (see `CreateConsumerOptions.commit`). */
  readonly commitPerPage: boolean;
  readonly limiter: Limiter;
  readonly hooks: ConsumerHooks;
}

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
  /** Scopes whose `once` effect already ran for this message (carried over from a rolled-back page). */
  readonly effectsDone?: Set<string>;
}

/** Delivers `message` until handled, parked, fenced out, or stopped while waiting to retry. */
export async function deliver<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  target: DeliveryTarget,
): Promise<DeliveryOutcome> {
  const { retry, hooks } = env;
  const update = {
    group: env.group,
    partition: target.partition,
    position: target.position,
    lease: target.lease,
  };
  let attempt = 0;
  let storageFailures = 0;
  // Scopes whose `once` effect ran during this delivery: on a single-connection
  // storage the record of it rolls back with a failed attempt, and this is
  // what still tells the retry (in this process) that the effect happened.
  const effectsDone = target.effectsDone ?? new Set<string>();
  // Made per delivery: a policy's own rule may keep state for this message.
  // A broken retry rule must not stall the consumer: it is reported and the message parked.
  const nextDelay = deliveryRetries(
    retry,
    (ruleError) =>
      hooks.onError?.(ruleError, {
        phase: "handler",
        partition: target.partition,
        message,
        attempt,
      }),
  );
  for (;;) {
    attempt++;
    const outcome = await env.limiter.run(() =>
      attemptOnce(env, message, update, attempt, undefined, effectsDone)
    );
    if (outcome.ok) return outcome.committed ? "handled" : "fenced";
    if (outcome.phase === "storage") {
      // Not the message's fault: retry without counting it against the message.
      attempt--;
      hooks.onError?.(outcome.error, {
        phase: "storage",
        partition: target.partition,
        message,
        attempt,
      });
      if (!(await sleep(backoffDelay(retry, ++storageFailures), target.signal))) return "stopped";
      continue;
    }
    storageFailures = 0;
    hooks.onError?.(outcome.error, {
      phase: "handler",
      partition: target.partition,
      message,
      attempt,
    });
    const delay = await nextDelay(attempt, outcome.error);
    if (delay !== undefined) {
      if (!(await sleep(delay, target.signal))) return "stopped";
      continue;
    }
    return await park(env, message, { ...target, attempts: attempt, error: outcome.error });
  }
}

/**
 * Runs the handlers of several messages in one commit that saves `position`
 * (the page's end). "failed" means nothing was saved: a handler or the storage
 * failed, and the caller delivers the messages one at a time instead.
 * `effectsDone` gets, per message id, the `once` scopes that ran anyway.
 */
export async function deliverPage<Tx>(
  env: DeliveryEnv<Tx>,
  messages: readonly RecordedMessage[],
  target: { readonly partition: number; readonly position: bigint; readonly lease?: LeaseFence },
  effectsDone: Map<string, Set<string>>,
): Promise<"handled" | "fenced" | "failed"> {
  const update = {
    group: env.group,
    partition: target.partition,
    position: target.position,
    lease: target.lease,
  };
  try {
    const committed = await env.limiter.run(() =>
      env.storage.checkpoints.commit(update, async (tx) => {
        for (const message of messages) {
          let done = effectsDone.get(message.id);
          if (done === undefined) effectsDone.set(message.id, done = new Set());
          await env.handler(message, handlerContext(env, message, tx, target.partition, 1, done));
        }
      })
    );
    return committed ? "handled" : "fenced";
  } catch {
    // Reported, and retried or parked, by the one-at-a-time delivery that follows.
    return "failed";
  }
}

type AttemptOutcome =
  | { readonly ok: true; readonly committed: boolean }
  | { readonly ok: false; readonly phase: "handler" | "storage"; readonly error: unknown };

/** One handler call inside one commit; tells handler failures from storage failures. */
export async function attemptOnce<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  update: { group: string; partition: number; position?: bigint; lease?: LeaseFence },
  attempt: number,
  alsoInTx?: (tx: Tx) => Promise<unknown>,
  effectsDone: Set<string> = new Set(),
): Promise<AttemptOutcome> {
  let handlerFailed = false;
  try {
    const committed = await env.storage.checkpoints.commit(update, async (tx) => {
      try {
        await env.handler(
          message,
          handlerContext(env, message, tx, update.partition, attempt, effectsDone),
        );
      } catch (error) {
        handlerFailed = true;
        throw error;
      }
      await alsoInTx?.(tx);
    });
    return { ok: true, committed };
  } catch (error) {
    return { ok: false, phase: handlerFailed ? "handler" : "storage", error };
  }
}

function handlerContext<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  tx: Tx,
  partition: number,
  attempt: number,
  effectsDone: Set<string>,
): HandlerContext<Tx> {
  return {
    tx,
    attempt,
    group: env.group,
    partition,
    idempotencyKey: message.id,
    once: async (scope, effect) => {
      const processed = env.storage.processed;
      const fullScope = `${env.group}/${scope}`;
      // Recorded at once and outside tx: a later throw in this handler rolls
      // tx back, and the retry must still know the effect happened. A
      // single-connection storage cannot write beside its open transaction.
      const through = env.storage.singleConnection ? { tx } : undefined;
      if (effectsDone.has(fullScope) || await processed.has(fullScope, message.id, through)) {
        return false;
      }
      await effect(message.id);
      effectsDone.add(fullScope);
      await processed.record(fullScope, message.id, through);
      return true;
    },
  };
}

async function park<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  target: DeliveryTarget & { attempts: number; error: unknown },
): Promise<DeliveryOutcome> {
  const entry: ParkedMessage = {
    group: env.group,
    partition: target.partition,
    message,
    error: storedError(target.error),
    attempts: target.attempts,
    parkedAt: new Date().toISOString(),
  };
  const update = {
    group: env.group,
    partition: target.partition,
    position: target.position,
    lease: target.lease,
  };
  // Parking and moving the checkpoint past the message are one commit: a
  // crash in between can neither lose the message nor park it twice.
  for (let failures = 1;; failures++) {
    try {
      const committed = await env.storage.checkpoints.commit(
        update,
        (tx) => env.storage.parked.park(entry, { tx }),
      );
      if (!committed) return "fenced";
      env.hooks.onParked?.(entry);
      return "parked";
    } catch (error) {
      env.hooks.onError?.(error, { phase: "storage", partition: target.partition, message });
      if (!(await sleep(backoffDelay(env.retry, failures), target.signal))) return "stopped";
    }
  }
}

/** An error as plain data for a parked message. */
export function storedError(error: unknown): StoredError {
  if (error instanceof Error) {
    return error.stack === undefined
      ? { name: error.name, message: error.message }
      : { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "NonError", message: String(error) };
}
