/**
 * Consumer group members as scoped effects. {@link startGroupConsumer} joins
 * a consumer group (partitions by stream, fenced leases) in the current scope;
 * closing the scope stops the member gracefully: each partition's handler in
 * progress finishes and commits its checkpoint, the member's leases are
 * released and it leaves the group, so the other members take its partitions
 * over at their next heartbeat instead of after the lease runs out.
 * {@link runGroupConsumer} runs a member until its fiber is interrupted.
 *
 * @module
 */

import type { Effect, Scope } from "effect";
import {
  createGroupConsumer,
  type CreateGroupConsumerOptions,
  type GroupConsumer,
  type ValidationError,
} from "../core/mod.ts";
import { type EffectHandlerOptions, runUntilDone, startInScope } from "./_consumer_engine.ts";
import type { ConsumerStorage } from "./consumer_storage.ts";
import type { EventStore } from "./event_store.ts";

/** Options of {@link startGroupConsumer}: the core group options, with an Effect handler and an Effect retry policy. */
export interface EffectGroupConsumerOptions<Tx, E, R> extends
  Omit<
    CreateGroupConsumerOptions<Tx>,
    "handler" | "pageHandler" | "storage" | "signal" | "retry"
  >,
  EffectHandlerOptions<Tx, E, R> {}

/** A group member started in a scope. */
export interface ScopedGroupConsumer {
  /** The core member: `member`, `ownedPartitions()`, the parked-message API. */
  readonly consumer: GroupConsumer;
  /** Succeeds the first time every partition this member should own is running and caught up; dies if it stopped before. */
  readonly caughtUp: Effect.Effect<void>;
  /** Succeeds once the member has stopped, released its leases and left the group. */
  readonly done: Effect.Effect<void>;
}

/**
 * Starts a member of a consumer group over the {@link EventStore} and
 * {@link ConsumerStorage} services. Streams are split into `partitions` by a
 * hash of their name, each handled in order by the member holding its lease.
 * When the scope closes, the member stops gracefully and releases its leases.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { EventStore, memoryLayer, startGroupConsumer } from "./mod.ts";
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const store = yield* EventStore;
 *   yield* store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
 *   const seen: string[] = [];
 *   const { caughtUp } = yield* startGroupConsumer({
 *     group: "shipping", source: { category: "order" }, partitions: 4,
 *     handler: (message) => Effect.sync(() => void seen.push(message.streamName)),
 *   });
 *   yield* caughtUp;
 *   return seen;
 * }));
 * console.log(await Effect.runPromise(Effect.provide(program, memoryLayer()))); // ["order-1"]
 * ```
 */
export function startGroupConsumer<Tx = unknown, E = never, R = never>(
  options: EffectGroupConsumerOptions<Tx, E, R>,
): Effect.Effect<
  ScopedGroupConsumer,
  ValidationError,
  EventStore | ConsumerStorage | Scope.Scope | R
> {
  return startInScope<Tx, E, R, EffectGroupConsumerOptions<Tx, E, R>, GroupConsumer>(
    options,
    (store, core) => createGroupConsumer<Tx>(store, core),
  );
}

/**
 * Runs a group member until the fiber running this effect is interrupted (or
 * the store closes). Interruption is a graceful stop: the effect completes only
 * after every handler in progress finished, its checkpoint was stored, and the
 * member's leases were released.
 *
 * @example
 * ```ts
 * import { Effect, Fiber } from "effect";
 * import { memoryLayer, runGroupConsumer } from "./mod.ts";
 * const program = Effect.gen(function* () {
 *   const member = runGroupConsumer({ group: "billing", source: { category: "order" }, partitions: 8, handler: (m) => Effect.log(m.id) });
 *   const fiber = yield* Effect.forkChild(member);
 *   yield* Effect.sleep("10 millis");
 *   yield* Fiber.interrupt(fiber); // leases released, checkpoints stored
 * });
 * await Effect.runPromise(Effect.provide(program, memoryLayer()));
 * ```
 */
export function runGroupConsumer<Tx = unknown, E = never, R = never>(
  options: EffectGroupConsumerOptions<Tx, E, R>,
): Effect.Effect<void, ValidationError, EventStore | ConsumerStorage | R> {
  return runUntilDone(startGroupConsumer(options));
}
