// What delivering needs, fixed for a consumer's life, built once from the
// checked options of any consumer kind.

import type { JsonMessage, MessageShape } from "../message.ts";
import { type CheckedRetryPolicy, checkRetryPolicy } from "./backoff.ts";
import type {
  CommitMode,
  ConsumerErrorContext,
  ConsumerHooks,
  MessageHandler,
  TransactionalCommit,
} from "./handler.ts";
import { Limiter } from "./_limiter.ts";
import { checkCommitMode, checkOptionalFunction, checkStorage } from "./_options.ts";
import type { CreateConsumerOptions } from "./consumer_types.ts";
import type { ConsumerStorage } from "./storage.ts";

/** What delivering needs, fixed for a consumer's life. */
export interface DeliveryEnv<Tx> {
  readonly group: string;
  readonly storage: ConsumerStorage<Tx>;
  /** Gets `undefined` as `tx` under `commit: "after-handler"`. */
  readonly handler: MessageHandler<Tx>;
  readonly retry: CheckedRetryPolicy;
  readonly commit: CommitMode;
  /** See `CreateConsumerOptions.parkAtOnce`. */
  readonly parkAtOnce?: (error: unknown) => boolean;
  readonly limiter: Limiter;
  readonly hooks: ConsumerHooks;
}

/** The delivery environment of a consumer, from its options; `slots` bounds handler calls at once. */
export function deliveryEnv<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
>(
  options: CreateConsumerOptions<Tx, Commit, E>,
  group: string,
  slots: number,
): DeliveryEnv<Tx> {
  checkStorage(options.storage);
  checkOptionalFunction(options.parkAtOnce, "options.parkAtOnce");
  return {
    group,
    storage: options.storage,
    // The message types are the store's word; the engine hands on what it reads.
    handler: options.handler as unknown as MessageHandler<Tx>,
    retry: checkRetryPolicy(options.retry),
    commit: checkCommitMode(options.commit),
    parkAtOnce: options.parkAtOnce,
    limiter: new Limiter(slots),
    hooks: {
      onParked: options.onParked,
      onError: options.onError,
      onPage: options.onPage,
      onCaughtUp: options.onCaughtUp,
    },
  };
}

/** Reports `error` to the consumer's `onError` hook. */
export function report<Tx>(
  env: DeliveryEnv<Tx>,
  error: unknown,
  context: ConsumerErrorContext,
): void {
  env.hooks.onError?.(error, context);
}
