/**
 * @module
 * ordo for Effect users: the event store as an Effect service with layers
 * for memory, PostgreSQL (postgres.js) and PGlite; appends and reads as
 * Effects that fail with ordo's tagged errors (`Effect.catchTag("ConcurrencyError", …)`);
 * reads and live subscriptions as backpressured `Stream`s; consumers and
 * consumer group members as scoped effects whose interruption is a graceful
 * stop that stores the checkpoint (and releases the leases); the command /
 * query / event bus as a service with Effect handlers registered in a scope;
 * message contracts as Effect Schema with versions and upcasting; retries and
 * timeouts as `Schedule`s, handler retries included; with telemetry, Effect's
 * spans and ordo's in one trace (a call inside `Effect.withSpan` is its child,
 * an Effect handler's spans are children of ordo's). Unlike the core, this
 * entry imports `effect` (4.x) at run time: in Deno from a URL, map `effect`
 * in your deno.json.
 *
 * Runs on: Deno, Bun, Node (PostgreSQL layers: wherever their driver runs; the memory layer on edge runtimes too).
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { EventStore, memoryLayer } from "./mod.ts";
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore;
 *   yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }], { expectedVersion: "no-stream" });
 *   return yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 4 } }], { expectedVersion: "no-stream" }).pipe(
 *     Effect.catchTag("ConcurrencyError", (error) => Effect.succeed(error.message)),
 *   );
 * });
 * console.log(await Effect.runPromise(Effect.provide(program, memoryLayer())));
 * ```
 */

export {
  type AppendError,
  EventStore,
  type EventStoreService,
  makeEventStore,
  type ReadError,
  type StoreAccessError,
} from "./event_store.ts";
export { ConsumerStorage } from "./consumer_storage.ts";
export {
  memoryLayer,
  pgliteLayer,
  postgresLayer,
  type PostgresLayerOptions,
  storeLayer,
  type StoreServices,
} from "./layers.ts";
export { readMessages, type StreamOptions, subscribe } from "./streams.ts";
export {
  type EffectConsumerOptions,
  type EffectHandler,
  type EffectHandlerOptions,
  type EffectPageHandler,
  runConsumer,
  type ScopedConsumer,
  startConsumer,
} from "./consumer.ts";
export {
  type EffectGroupConsumerOptions,
  runGroupConsumer,
  type ScopedGroupConsumer,
  startGroupConsumer,
} from "./group_consumer.ts";
export {
  defineMessage,
  type DefineMessageOptions,
  type MessageContract,
  type Upcaster,
} from "./message_contract.ts";
export {
  decideAndAppend,
  type DecideAndAppendOptions,
  DEFAULT_CONFLICT_SCHEDULE,
  retryOnConflict,
  withTimeout,
} from "./retry.ts";
export { type EffectRetry, scheduleRetry } from "./schedule_retry.ts";
export {
  Bus,
  busLayer,
  type BusRegistration,
  type BusService,
  type CallError,
  type EffectBusHandlerOptions,
  type EffectCallOptions,
  type EffectQueryHandlerOptions,
  makeBus,
  type MakeBusOptions,
  type QueryError,
  type SendAndWaitError,
  type SendError,
} from "./bus.ts";
export { HandlerError } from "./handler_error.ts";
export {
  inProcessTransport,
  storeBackedTransport,
  type StoreBackedTransportOptions,
} from "./transports.ts";
