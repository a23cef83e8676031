// Delivering a whole page in one commit (commit "page"): far fewer commits
// while catching up; any failure falls back to one message at a time.

import type { RecordedMessage } from "../message.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";
import { handlerContext } from "./_handler_context.ts";
import type { LeaseFence } from "./storage.ts";

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
  const { partition } = target;
  const update = { group: env.group, partition, position: target.position, lease: target.lease };
  try {
    const committed = await env.limiter.run(() =>
      env.storage.checkpoints.commit(update, async (tx) => {
        for (const message of messages) {
          let done = effectsDone.get(message.id);
          if (done === undefined) effectsDone.set(message.id, done = new Set());
          const call = { tx, partition, attempt: 1, effectsDone: done };
          await env.handler(message, handlerContext(env, message, call));
        }
      })
    );
    return committed ? "handled" : "fenced";
  } catch {
    // Reported, and retried or parked, by the one-at-a-time delivery that follows.
    return "failed";
  }
}
