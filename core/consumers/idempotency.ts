/**
 * Effects outside the consumer's storage (an HTTP call, an email) cannot
 * commit with the checkpoint. This helper runs such an effect at most once
 * per idempotency key as far as ordo can tell, by recording the key right
 * after the effect; the remaining window is documented in
 * docs/decisions/consumers.md.
 *
 * @module
 */

import { checkFunction, checkName, checkOptions } from "../options.ts";
import type { ProcessedMessageStore } from "./storage.ts";

const RUN_ONCE_OPTION_KEYS: readonly string[] = ["scope", "key", "effect"];

/** Options of {@link runOnce}. */
export interface RunOnceOptions {
  /** What kind of effect this is, per consumer: `"shipping/send-email"`. */
  readonly scope: string;
  /** The idempotency key, usually the message id. It is passed to `effect`. */
  readonly key: string;
  /** The effect. Pass the key on to the other system when it accepts one. */
  readonly effect: (key: string) => Promise<void> | void;
}

/**
 * Runs `options.effect` unless `key` is already recorded under `scope`, then
 * records it. Resolves whether the effect ran. If the process dies after the
 * effect and before the record, the next delivery runs the effect again: that
 * window is as long as one write to the processed store, and only a receiver
 * that deduplicates by the key closes it.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @throws whatever `effect` throws; nothing is recorded then
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
 * import { runOnce } from "./idempotency.ts";
 * const { processed } = createMemoryConsumerStorage();
 * const send = (key: string) => console.log("sending", key);
 * await runOnce(processed, { scope: "mail", key: "m-1", effect: send }); // true
 * await runOnce(processed, { scope: "mail", key: "m-1", effect: send }); // false
 * ```
 */
export async function runOnce(
  processed: ProcessedMessageStore<unknown>,
  options: RunOnceOptions,
): Promise<boolean> {
  checkOptions(options, RUN_ONCE_OPTION_KEYS);
  const { effect } = options;
  const scope = checkName(options.scope, "options.scope");
  const key = checkName(options.key, "options.key");
  checkFunction(effect, "options.effect");
  if (await processed.has(scope, key)) return false;
  await effect(key);
  await processed.record(scope, key);
  return true;
}
