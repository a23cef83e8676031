// What startConsumer and startGroupConsumer share: turning the Effect-side
// options into the core's (Effect handler -> Promise handler, Schedule ->
// retry rule).
import type { Context, Duration, Effect } from "effect";
import type {
  ConsumerStorage as ConsumerStoragePort,
  CreateConsumerOptions,
  HandlerContext,
  RecordedMessage,
} from "../core/mod.ts";
import { bridgeHandler } from "./_handler_bridge.ts";
import { type EffectRetry, toRetryPolicy } from "./schedule_retry.ts";

/** A handler written as an Effect. Failing (or dying) means "not handled": it is retried, then parked. */
export type EffectHandler<Tx, E, R> = (
  message: RecordedMessage,
  context: HandlerContext<Tx>,
) => Effect.Effect<void, E, R>;

/** The Effect-side options every consumer kind adds to, or changes in, the core's. */
export interface EffectHandlerOptions<Tx, E, R> {
  readonly handler: EffectHandler<Tx, E, R>;
  /**
   * Longest one handler attempt may take: past it the handler is interrupted
   * and the attempt fails with ordo's `TimeoutError` (then retried or parked
   * like any failure, and its transaction rolls back). Default: no limit.
   */
  readonly handlerTimeout?: Duration.Input;
  /** How a failing handler is retried before its message is parked: a core policy or a `Schedule`. */
  readonly retry?: EffectRetry<R>;
}

/** The core options with the handler and retry policy made to run with `context`. */
export function coreOptions<
  Tx,
  E,
  R,
  O extends EffectHandlerOptions<Tx, E, R> & { readonly group: string },
>(
  options: O,
  storage: ConsumerStoragePort<unknown>,
  context: Context.Context<R>,
):
  & Omit<O, "handler" | "handlerTimeout" | "retry">
  & Pick<CreateConsumerOptions<Tx>, "handler" | "storage" | "retry"> {
  const { handler, handlerTimeout, retry, ...rest } = options;
  const bridged = bridgeHandler(handler, context, {
    timeout: handlerTimeout,
    describe: (message) => `handler of consumer "${options.group}" on message "${message.id}"`,
  });
  return {
    ...rest,
    storage: storage as ConsumerStoragePort<Tx>,
    handler: bridged,
    retry: toRetryPolicy(retry, context),
  };
}
