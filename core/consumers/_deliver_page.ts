// Delivering a page in one commit (commit "page"): far fewer commits while
// catching up. A page that fails is narrowed down: its halves are tried as
// pages of their own, and so on, until the message at fault is alone and is
// delivered as a single message, with retries, then parking. The messages
// around it still commit in pages.

import type { RecordedMessage } from "../message.ts";
import { deliver } from "./_deliver.ts";
import { type DeliveryEnv, worked } from "./_delivery_env.ts";
import { type EffectsDone, keepEffectsAfterRollback, runHandler } from "./_handler_context.ts";
import type { LeaseFence } from "./storage.ts";

/** Where a page's commits go, and what the loop delivering it needs to know. */
export interface PageTarget {
  readonly partition: number;
  readonly lease?: LeaseFence;
  /** Stops before the next piece of a narrowed page (the piece in progress finishes). */
  readonly signal: AbortSignal;
  /** The checkpoint after a message. */
  readonly after: (message: RecordedMessage) => bigint;
  /** Asked before each commit: false when the lease may have run out. */
  readonly holdsLease: () => boolean;
  /**
   * After each commit: the checkpoint it saved, the last message it covered,
   * and how many messages it handled or parked.
   */
  readonly committed: (position: bigint, last: RecordedMessage, count: number) => void;
}

/**
 * Delivers `messages` in as few commits as failures allow, the last commit
 * saving `end` (at or past the checkpoint after the last message). Resolves
 * `undefined` when every message was handled or parked, or why it ended early.
 */
export async function deliverInPages<Tx>(
  env: DeliveryEnv<Tx>,
  messages: readonly RecordedMessage[],
  end: bigint,
  target: PageTarget,
): Promise<"fenced" | "stopped" | undefined> {
  // The `once` effects that ran in a rolled-back piece, carried to the next try of its messages.
  return await deliverPiece(env, messages, end, target, new Map());
}

async function deliverPiece<Tx>(
  env: DeliveryEnv<Tx>,
  messages: readonly RecordedMessage[],
  end: bigint,
  target: PageTarget,
  effectsDone: EffectsDone,
): Promise<"fenced" | "stopped" | undefined> {
  const { partition, lease, signal } = target;
  if (messages.length === 0) return undefined;
  if (signal.aborted) return "stopped";
  if (!target.holdsLease()) return "fenced";
  if (messages.length === 1) {
    const single = { partition, position: end, lease, signal, effectsDone };
    const outcome = await deliver(env, messages[0], single);
    if (outcome === "fenced" || outcome === "stopped") return outcome;
    target.committed(end, messages[0], 1);
    return undefined;
  }
  const outcome = await commitPage(env, messages, { partition, position: end, lease }, effectsDone);
  if (outcome === "fenced") return outcome;
  if (outcome === "handled") {
    target.committed(end, messages[messages.length - 1], messages.length);
    return undefined;
  }
  const half = Math.ceil(messages.length / 2);
  const first = messages.slice(0, half);
  const ended = await deliverPiece(
    env,
    first,
    target.after(first[first.length - 1]),
    target,
    effectsDone,
  );
  if (ended !== undefined) return ended;
  return await deliverPiece(env, messages.slice(half), end, target, effectsDone);
}

/**
 * Runs the handler on several messages in one commit that saves `position`.
 * "failed" means nothing was saved: a handler or the storage failed, and the
 * caller narrows the page down; `effectsDone` keeps the `once` effects that ran.
 */
async function commitPage<Tx>(
  env: DeliveryEnv<Tx>,
  messages: readonly RecordedMessage[],
  target: { readonly partition: number; readonly position: bigint; readonly lease?: LeaseFence },
  effectsDone: EffectsDone,
): Promise<"handled" | "fenced" | "failed"> {
  const { partition } = target;
  const update = { group: env.group, partition, position: target.position, lease: target.lease };
  try {
    const committed = await env.limiter.run(() =>
      env.storage.checkpoints.commit(update, async (tx) => {
        await runHandler(env, messages, { tx, partition, attempt: 1, effectsDone });
      })
    );
    worked(env, "storage");
    return committed ? "handled" : "fenced";
  } catch {
    // Reported, and retried or parked, by the single delivery the narrowing ends in.
    await keepEffectsAfterRollback(env, effectsDone);
    return "failed";
  }
}
