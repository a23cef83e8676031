// One handler attempt: inside the transaction that saves the checkpoint, or
// outside any transaction (commit "after-handler"); either way it tells the
// handler's failures from the storage's, which are not the message's fault.

import type { RecordedMessage } from "../message.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";
import { type EffectsDone, runHandler } from "./_handler_context.ts";
import type { CheckpointUpdate } from "./storage.ts";

/** An attempt that failed, and whose failure it was. */
export interface AttemptFailure {
  readonly phase: "handler" | "storage";
  readonly error: unknown;
}

/** `true`: handled and committed; `false`: the lease fence refused the commit. */
export type AttemptOutcome = boolean | AttemptFailure;

/** One handler call inside one commit of `update`, which also runs `alsoInTx`. */
export async function attemptInCommit<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  update: CheckpointUpdate,
  call: { readonly attempt: number; readonly effectsDone: EffectsDone },
  alsoInTx?: (tx: Tx) => Promise<unknown>,
): Promise<AttemptOutcome> {
  let handlerFailed = false;
  try {
    return await env.storage.checkpoints.commit(update, async (tx) => {
      try {
        await runHandler(env, [message], { ...call, tx, partition: update.partition });
      } catch (error) {
        handlerFailed = true;
        throw error;
      }
      await alsoInTx?.(tx);
    });
  } catch (error) {
    return { phase: handlerFailed ? "handler" : "storage", error };
  }
}

/** One handler call outside any transaction; resolves its failure, or `undefined` when it succeeded. */
export async function attemptOutside<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  call: { readonly partition: number; readonly attempt: number; readonly effectsDone: EffectsDone },
): Promise<AttemptFailure | undefined> {
  try {
    await runHandler(env, [message], { ...call, tx: undefined });
    return undefined;
  } catch (error) {
    return { phase: "handler", error };
  }
}

/**
 * One attempt in the consumer's commit mode that commits `update` and
 * `alsoInTx` once: what a replay of a parked message runs. Under
 * `"after-handler"` the handler runs first, then the commit.
 */
export async function attemptOnce<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  update: CheckpointUpdate,
  attempt: number,
  alsoInTx: (tx: Tx) => Promise<unknown>,
): Promise<AttemptOutcome> {
  const effectsDone: EffectsDone = new Map();
  if (env.commit !== "after-handler") {
    return await attemptInCommit(env, message, update, { attempt, effectsDone }, alsoInTx);
  }
  const failure = await attemptOutside(env, message, {
    partition: update.partition,
    attempt,
    effectsDone,
  });
  if (failure !== undefined) return failure;
  try {
    return await env.storage.checkpoints.commit(update, async (tx) => {
      await alsoInTx(tx);
    });
  } catch (error) {
    return { phase: "storage", error };
  }
}
