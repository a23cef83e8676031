// What a handler gets besides the message, `once` included; the same for a
// single delivery, a page and a replay.

import type { RecordedMessage } from "../message.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";
import type { HandlerContext } from "./handler.ts";

/**
 * The context of one handler call. `tx` is the open transaction, or
 * `undefined` when the handler runs outside one (`commit: "after-handler"`).
 * `effectsDone` holds the `once` scopes that already ran for this message in
 * this process (carried over from a rolled-back attempt or page).
 */
export function handlerContext<Tx>(
  env: DeliveryEnv<Tx>,
  message: RecordedMessage,
  call: {
    readonly tx: Tx | undefined;
    readonly partition: number;
    readonly attempt: number;
    readonly effectsDone: Set<string>;
  },
): HandlerContext<Tx> {
  const { tx, partition, attempt, effectsDone } = call;
  return {
    tx: tx as Tx,
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
      const through = env.storage.singleConnection && tx !== undefined ? { tx } : undefined;
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
