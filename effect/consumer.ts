/**
 * Consumers as scoped effects. {@link startConsumer} starts ordo's consumer
 * (checkpoints, retries with backoff, parking) in the current scope and
 * stops it gracefully when the scope closes; {@link runConsumer} runs one
 * until its fiber is interrupted. Either way, the stop lets the handler in
 * progress finish and stores its checkpoint before the effect completes.
 *
 * @module
 */

import type { Effect, Scope } from "effect";
import {
  type Consumer,
  createConsumer,
  type CreateConsumerOptions,
  type ValidationError,
} from "../core/mod.ts";
import { type EffectHandlerOptions, runUntilDone, startInScope } from "./_consumer_engine.ts";
import type { ConsumerStorage } from "./consumer_storage.ts";
import type { EventStore } from "./event_store.ts";

export type { EffectHandler, EffectHandlerOptions, EffectPageHandler } from "./_consumer_engine.ts";

/** Options of {@link startConsumer} and {@link runConsumer}: the core options, with an Effect handler and an Effect retry policy. */
export interface EffectConsumerOptions<Tx, E, R>
  extends
    Omit<CreateConsumerOptions<Tx>, "handler" | "pageHandler" | "storage" | "signal" | "retry">,
    EffectHandlerOptions<Tx, E, R> {}

/** A consumer started in a scope. */
export interface ScopedConsumer {
  /** The core consumer: parked-message API, `group`. */
  readonly consumer: Consumer;
  /** Succeeds the first time the consumer has caught up; dies if it stopped before. */
  readonly caughtUp: Effect.Effect<void>;
  /** Succeeds once the consumer has stopped (scope closed, or store closed). */
  readonly done: Effect.Effect<void>;
}

/**
 * Starts a consumer over the {@link EventStore} and {@link ConsumerStorage}
 * services; it stops gracefully, storing the checkpoint of the message in
 * progress, when the surrounding scope closes. The handler runs with the
 * services of the effect that started the consumer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { EventStore, memoryLayer, startConsumer } from "./mod.ts";
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const store = yield* EventStore;
 *   yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 *   let seen = 0;
 *   const { caughtUp } = yield* startConsumer({
 *     group: "counter",
 *     source: { category: "order" },
 *     handler: () => Effect.sync(() => void seen++),
 *   });
 *   yield* caughtUp;
 *   return seen;
 * }));
 * console.log(await Effect.runPromise(Effect.provide(program, memoryLayer()))); // 1
 * ```
 */
export function startConsumer<Tx = unknown, E = never, R = never>(
  options: EffectConsumerOptions<Tx, E, R>,
): Effect.Effect<ScopedConsumer, ValidationError, EventStore | ConsumerStorage | Scope.Scope | R> {
  return startInScope<Tx, E, R, EffectConsumerOptions<Tx, E, R>, Consumer>(
    options,
    (store, core) => createConsumer<Tx>(store, core),
  );
}

/**
 * Runs a consumer until the fiber running this effect is interrupted (or
 * the store closes). Interruption is a graceful stop: the effect completes
 * only after the handler in progress finished and its checkpoint was stored.
 *
 * @example
 * ```ts
 * import { Effect, Fiber } from "effect";
 * import { memoryLayer, runConsumer } from "./mod.ts";
 * const program = Effect.gen(function* () {
 *   const fiber = yield* Effect.forkChild(runConsumer({ group: "log", source: { all: true }, handler: (m) => Effect.log(m.type) }));
 *   yield* Effect.sleep("10 millis");
 *   yield* Fiber.interrupt(fiber); // stops it gracefully
 * });
 * await Effect.runPromise(Effect.provide(program, memoryLayer()));
 * ```
 */
export function runConsumer<Tx = unknown, E = never, R = never>(
  options: EffectConsumerOptions<Tx, E, R>,
): Effect.Effect<void, ValidationError, EventStore | ConsumerStorage | R> {
  return runUntilDone(startConsumer(options));
}
