// Parking a message its handler gave up on, and telling `onParked`, in an
// order that loses nothing if the process dies between any two steps.

import type { RecordedMessage } from "../message.ts";
import { type DeliveryEnv, report } from "./_delivery_env.ts";
import { logParked } from "./delivery_log.ts";
import { keepTrying } from "./_keep_trying.ts";
import type { CheckpointUpdate, ParkedMessage, StoredError } from "./storage.ts";

/** How parking ended: parked and past it, fenced out, or stopped before the checkpoint moved. */
export type ParkOutcome = "parked" | "fenced" | "stopped";

/**
 * Parks `message` after `attempts` failed with `error`, awaits `onParked`,
 * and moves the checkpoint to `update.position`.
 *
 * Under `commit: "after-handler"` these are three steps in this order: the
 * entry is stored, `onParked` resolves, then the checkpoint moves. A crash
 * between two of them delivers the message again, so neither the entry nor
 * what `onParked` writes (the store-backed transport's failure reply) is lost;
 * the entry is replaced, not doubled. Otherwise the entry and the checkpoint
 * are one commit (a crash can neither lose the message nor park it twice),
 * and `onParked` follows.
 */
export async function park<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  update: CheckpointUpdate & { readonly position: bigint },
  failure: { readonly attempts: number; readonly error: unknown; readonly signal: AbortSignal },
): Promise<ParkOutcome> {
  const entry = parkedEntry(env.group, update.partition, message, failure);
  const context = { phase: "storage", partition: update.partition, message } as const;
  const { signal } = failure;
  const logged = () =>
    logParked(
      env.logger,
      { ...env.site, partition: update.partition },
      message,
      failure.attempts,
      failure.error,
    );
  if (env.commit === "after-handler") {
    const stored = await keepTrying(env, context, signal, () => env.storage.parked.park(entry));
    if (stored === undefined) return "stopped";
    env.traces?.parked(entry);
    logged();
    if (!(await notifyParked(env, entry, signal))) return "stopped";
    const committed = await keepTrying(
      env,
      context,
      signal,
      () => env.storage.checkpoints.commit(update, () => {}),
    );
    return committed === undefined ? "stopped" : committed.value ? "parked" : "fenced";
  }
  const committed = await keepTrying(
    env,
    context,
    signal,
    () => env.storage.checkpoints.commit(update, (tx) => env.storage.parked.park(entry, { tx })),
  );
  if (committed === undefined) return "stopped";
  if (!committed.value) return "fenced";
  env.traces?.parked(entry);
  logged();
  return (await notifyParked(env, entry, signal)) ? "parked" : "stopped";
}

/**
 * Awaits the `onParked` hook, again with backoff while it rejects; `false`
 * when `signal` aborted first. Without a signal (a replay) it is called once
 * and a rejection is only reported.
 */
export async function notifyParked<Tx>(
  env: DeliveryEnv<Tx>,
  entry: ParkedMessage,
  signal?: AbortSignal,
): Promise<boolean> {
  const onParked = env.hooks.onParked;
  if (onParked === undefined) return true;
  const context = {
    phase: "onParked",
    partition: entry.partition,
    message: entry.message,
  } as const;
  if (signal === undefined) {
    try {
      await onParked(entry);
    } catch (error) {
      report(env, error, context);
    }
    return true;
  }
  return await keepTrying(env, context, signal, async () => await onParked(entry)) !== undefined;
}

/** The parked entry of a message whose handler failed `attempts` times, the last with `error`. */
export function parkedEntry(
  group: string,
  partition: number,
  message: RecordedMessage,
  failure: { readonly attempts: number; readonly error: unknown },
): ParkedMessage {
  return {
    group,
    partition,
    message,
    error: storedError(failure.error),
    attempts: failure.attempts,
    parkedAt: new Date().toISOString(),
  };
}

/**
 * An error as plain data for a parked message.
 *
 * @example
 * ```ts
 * import { storedError } from "./_park.ts";
 * console.log(storedError(new RangeError("too big")).name, storedError("boom")); // RangeError { name: "NonError", message: "boom" }
 * ```
 */
export function storedError(error: unknown): StoredError {
  if (error instanceof Error) {
    return error.stack === undefined
      ? { name: error.name, message: error.message }
      : { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "NonError", message: String(error) };
}
