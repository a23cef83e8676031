// What startConsumer and startGroupConsumer share: turning the Effect-side
// options into the core's (Effect handler -> Promise handler, Schedule ->
// retry rule), and holding the core consumer in the current scope. The two
// differ only in which core factory they call.
import { type Context, type Duration, Effect, type Scope } from "effect";
import type {
  Consumer,
  ConsumerStorage as ConsumerStoragePort,
  CreateConsumerOptions,
  EventStore as EventStorePort,
  HandlerContext,
  PageContext,
  RecordedMessage,
  ValidationError,
} from "../core/mod.ts";
import { acquireStoppable } from "./_acquire_stoppable.ts";
import { ConsumerStorage } from "./consumer_storage.ts";
import { EventStore } from "./event_store.ts";
import { bridgeHandler } from "./_handler_bridge.ts";
import { type EffectRetry, toRetryPolicy } from "./schedule_retry.ts";

/** A handler written as an Effect. Failing (or dying) means "not handled": it is retried, then parked. */
export type EffectHandler<Tx, E, R> = (
  message: RecordedMessage,
  context: HandlerContext<Tx>,
) => Effect.Effect<void, E, R>;

/**
 * A page handler written as an Effect: all the messages of a page at once, in
 * one transaction with the page's checkpoint (see the core `PageHandler`).
 * Failing means "not handled": the page is narrowed down to the message at
 * fault, which alone is retried, then parked.
 */
export type EffectPageHandler<Tx, E, R> = (
  messages: readonly RecordedMessage[],
  context: PageContext<Tx>,
) => Effect.Effect<void, E, R>;

/** The Effect-side options every consumer kind adds to, or changes in, the core's. */
export interface EffectHandlerOptions<Tx, E, R> {
  /**
   * Runs once per message, with the services of the effect that started the
   * consumer. Give either this or `pageHandler`.
   */
  readonly handler?: EffectHandler<Tx, E, R>;
  /**
   * Runs once per page, with the same services: one statement per page for a
   * projection into SQL. Give either this or `handler`.
   */
  readonly pageHandler?: EffectPageHandler<Tx, E, R>;
  /**
   * Longest one handler attempt may take: past it the handler is interrupted
   * and the attempt fails with ordo's `TimeoutError` (then retried or parked
   * like any failure, and its transaction rolls back). Default: no limit.
   */
  readonly handlerTimeout?: Duration.Input;
  /** How a failing handler is retried before its message is parked: a core policy or a `Schedule`. */
  readonly retry?: EffectRetry<R>;
}

/** The core options made from Effect-side options `O`. */
export type CoreOptions<Tx, O> =
  & Omit<O, "handler" | "pageHandler" | "handlerTimeout" | "retry">
  & Pick<CreateConsumerOptions<Tx>, "handler" | "pageHandler" | "storage" | "retry">;

/** A core consumer held in a scope, with its promises as effects. */
export interface Started<C extends Consumer> {
  readonly consumer: C;
  readonly caughtUp: Effect.Effect<void>;
  readonly done: Effect.Effect<void>;
}

/** The core options with the handler and retry policy made to run with `context`. */
function coreOptions<
  Tx,
  E,
  R,
  O extends EffectHandlerOptions<Tx, E, R> & { readonly group: string },
>(
  options: O,
  storage: ConsumerStoragePort<unknown>,
  context: Context.Context<R>,
): CoreOptions<Tx, O> {
  const { handler, pageHandler, handlerTimeout, retry, ...rest } = options;
  // Whichever handler is given is bridged (only given keys are passed on); the
  // core refuses both or neither, so it is left to say so.
  const handlers: Pick<CreateConsumerOptions<Tx>, "handler" | "pageHandler"> = {};
  if (handler !== undefined) {
    Object.assign(handlers, {
      handler: bridgeHandler(handler, context, {
        timeout: handlerTimeout,
        describe: (message) => `handler of consumer "${options.group}" on message "${message.id}"`,
        trace: (_message, context) => context?.trace,
      }),
    });
  }
  if (pageHandler !== undefined) {
    Object.assign(handlers, {
      pageHandler: bridgeHandler(pageHandler, context, {
        timeout: handlerTimeout,
        describe: (page) =>
          `page handler of consumer "${options.group}" on ${page.length} messages from "${
            page[0]?.id
          }"`,
      }),
    });
  }
  return {
    ...rest,
    storage: storage as ConsumerStoragePort<Tx>,
    ...handlers,
    retry: toRetryPolicy(retry, context),
  };
}

/**
 * Starts the consumer `create` makes over the {@link EventStore} and
 * {@link ConsumerStorage} services, with the handler run in the services of
 * the effect that started it; closing the scope stops it gracefully.
 */
export function startInScope<
  Tx,
  E,
  R,
  O extends EffectHandlerOptions<Tx, E, R> & { readonly group: string },
  C extends Consumer,
>(
  options: O,
  create: (store: EventStorePort, options: CoreOptions<Tx, O>) => C,
): Effect.Effect<Started<C>, ValidationError, EventStore | ConsumerStorage | Scope.Scope | R> {
  return Effect.gen(function* () {
    const store = yield* EventStore;
    const storage = yield* ConsumerStorage;
    const context = yield* Effect.context<R>();
    const consumer = yield* acquireStoppable(() =>
      create(store.port, coreOptions(options, storage, context))
    );
    return {
      consumer,
      caughtUp: Effect.promise(() => consumer.caughtUp),
      done: Effect.promise(() => consumer.done),
    };
  });
}

/** Runs what `start` starts until its fiber is interrupted (a graceful stop) or it stops by itself. */
export function runUntilDone<A extends { readonly done: Effect.Effect<void> }, E, R>(
  start: Effect.Effect<A, E, R>,
): Effect.Effect<void, E, Exclude<R, Scope.Scope>> {
  return Effect.scoped(Effect.flatMap(start, (started) => started.done));
}
