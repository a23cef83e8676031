// What a handler gets besides the message, `once` included, and how the
// consumer's handler is run on some messages: the page handler once for all
// of them, or the message handler for each. The same for a single delivery,
// a page and a replay.

import type { RecordedMessage } from "../message.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";
import type { HandlerContext, PageContext } from "./handler.ts";

/**
 * The `once` scopes that already ran in this process, per message id: carried
 * over from a rolled-back attempt or page to the next delivery of the same
 * messages, since on a single-connection storage the record of the effect
 * rolls back with them.
 */
export type EffectsDone = Map<string, Set<string>>;

/** One handler call: its transaction (`undefined` outside one), partition and attempt. */
export interface HandlerCall<Tx> {
  readonly tx: Tx | undefined;
  readonly partition: number;
  readonly attempt: number;
  readonly effectsDone: EffectsDone;
}

/**
 * Runs the consumer's handler on `messages`, in order: a page handler once
 * with all of them, a message handler once per message. Rejects with the
 * handler's error.
 */
export async function runHandler<Tx>(
  env: DeliveryEnv<Tx>,
  messages: readonly RecordedMessage[],
  call: HandlerCall<Tx>,
): Promise<void> {
  if (env.pageHandler !== undefined) {
    await env.pageHandler(messages, pageContext(env, call));
    return;
  }
  const handler = env.handler!;
  // A handler that returns no promise (a fold into memory) is not awaited: an
  // await per message was a tick per message, most of a page's dispatch.
  for (const message of messages) {
    const result = handler(message, handlerContext(env, message, call)) as unknown;
    if (isThenable(result)) await result;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** The context of a page handler's call. */
function pageContext<Tx>(env: DeliveryEnv<Tx>, call: HandlerCall<Tx>): PageContext<Tx> {
  return {
    tx: call.tx as Tx,
    attempt: call.attempt,
    group: env.group,
    partition: call.partition,
    of: (message) => handlerContext(env, message, call),
  };
}

/**
 * The context of one handler call for `message`. `tx` is the open
 * transaction, or `undefined` when the handler runs outside one
 * (`commit: "after-handler"`).
 */
export function handlerContext<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  call: HandlerCall<Tx>,
): HandlerContext<Tx> {
  const { tx, partition, attempt, effectsDone } = call;
  return {
    tx: tx as Tx,
    attempt,
    group: env.group,
    partition,
    idempotencyKey: message.id,
    // A method, not an arrow in a property: it does not use `this` (so it can
    // be destructured), and tools that keep function names (tsx, esbuild's
    // keepNames) wrap an arrow property in a naming call, once per message.
    async once(scope, effect) {
      const processed = env.storage.processed;
      const fullScope = `${env.group}/${scope}`;
      // Recorded at once and outside tx: a later throw in this handler rolls
      // tx back, and the retry must still know the effect happened. A
      // single-connection storage cannot write beside its open transaction.
      const through = env.storage.singleConnection && tx !== undefined ? { tx } : undefined;
      if (
        effectsDone.get(message.id)?.has(fullScope) === true ||
        await processed.has(fullScope, message.id, through)
      ) {
        return false;
      }
      await effect(message.id);
      let done = effectsDone.get(message.id);
      if (done === undefined) effectsDone.set(message.id, done = new Set());
      done.add(fullScope);
      await processed.record(fullScope, message.id, through);
      return true;
    },
  };
}

/**
 * After an attempt rolled back on a single-connection storage, where `once`
 * records its keys through the transaction: the records went with it, so they
 * are written again outside it. Otherwise a stop before the next attempt would
 * forget effects that ran. Best effort: until it succeeds, `effectsDone`
 * still tells this process.
 */
export async function keepEffectsAfterRollback<Tx>(
  env: DeliveryEnv<Tx>,
  effectsDone: EffectsDone,
): Promise<void> {
  if (!env.storage.singleConnection) return;
  for (const [id, scopes] of effectsDone) {
    for (const scope of scopes) await env.storage.processed.record(scope, id).catch(() => {});
  }
}
