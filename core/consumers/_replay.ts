// Replaying parked messages through a consumer's handler: the handler's
// work and taking the message off the parked list commit together (under
// commit "after-handler", the removal commits after the handler).

import { attemptOnce } from "./_attempt.ts";
import { type DeliveryEnv, report } from "./_delivery_env.ts";
import { notifyParked, storedError } from "./_park.ts";
import type { ReplayResult } from "./consumer_types.ts";
import type { ListParkedOptions, ParkedMessage } from "./storage.ts";

/** Replays one parked message once (no retries: whoever asked sees the result). */
export async function replayOne<Tx>(
  env: DeliveryEnv<Tx>,
  messageId: string,
): Promise<ReplayResult> {
  const entry = await env.storage.parked.get(env.group, messageId);
  if (entry === undefined) {
    // Asked for twice, or replayed by another consumer of the group first.
    env.logger.info("Replay asked for a message that is not parked", {
      ...env.site,
      messageId,
      outcome: "not-parked",
    });
    return { messageId, outcome: "not-parked" };
  }
  const attempt = entry.attempts + 1;
  const outcome = await env.limiter.run(() =>
    attemptOnce(
      env,
      entry.message,
      { group: env.group, partition: entry.partition },
      attempt,
      (tx) => env.storage.parked.remove(env.group, messageId, { tx }),
    )
  );
  const { message, partition } = entry;
  // One line per replay, whoever asked: a replay requested from the console
  // or the command line runs here, and the service's log is where its
  // operator looks for what became of it.
  const where = {
    partition,
    messageId,
    type: message.type,
    stream: message.streamName,
    attempt,
  };
  if (typeof outcome === "boolean") {
    env.logger.info("Parked message replayed", { ...env.site, ...where, outcome: "replayed" });
    return { messageId, outcome: "replayed" };
  }
  if (outcome.phase === "storage") throw outcome.error;
  // A failed attempt like any other (its line and onError, even though the
  // caller also sees it: a replay taken through the control link has none),
  // its line saying it was a replay and what became of the message.
  report(
    env,
    outcome.error,
    { phase: "handler", partition, message, attempt },
    "Replay failed; the message stays parked",
    { type: message.type, stream: message.streamName, attempt, outcome: "failed" },
  );
  const error = storedError(outcome.error);
  const again: ParkedMessage = {
    ...entry,
    error,
    attempts: attempt,
    parkedAt: new Date().toISOString(),
  };
  await env.storage.parked.park(again);
  await notifyParked(env, again);
  return { messageId, outcome: "failed", error };
}

/** Replays every parked message of the group, oldest first, each once. */
export async function replayAll<Tx>(
  env: DeliveryEnv<Tx>,
  options: { readonly signal?: AbortSignal } = {},
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page: ListParkedOptions = after === undefined ? { limit: 100 } : { limit: 100, after };
    const entries = await env.storage.parked.list(env.group, page);
    for (const entry of entries) {
      if (options.signal?.aborted) return results;
      results.push(await replayOne(env, entry.message.id));
    }
    if (entries.length < 100) return results;
    after = entries[entries.length - 1].message.globalPosition;
  }
}
