/**
 * The command / query / event bus for Effect users: ordo's bus (`createBus`)
 * as a service whose calls are Effects failing with ordo's tagged errors, and
 * whose handlers are Effects registered in a scope. Handlers run with the
 * services of the effect that registered them; their failures and defects go
 * down the bus's failure path (retries then parking for commands and events,
 * the error reply of `sendAndWait`, a failed query). Contracts written with
 * Effect Schema (`Schema.toStandardSchemaV1`) type the calls and handlers.
 *
 * @module
 */

import { Context, Effect, Layer, type Scope } from "effect";
import {
  type Bus as CoreBus,
  type BusContracts,
  type CommandData,
  type CommandInput,
  type CommandInputData,
  type CommandName,
  createBus,
  type CreateBusOptions,
  type DeliveryContext,
  directCallsOf,
  type EventData,
  type EventInput,
  type EventInputData,
  type EventName,
  type PublishReceipt,
  type QueryContext,
  type QueryInputPayload,
  type QueryName,
  type QueryPayload,
  type ReceivedMessage,
  type SendReceipt,
  type Transport,
} from "../core/messaging/mod.ts";
import type {
  CircuitOpenError,
  ClosedError,
  DuplicateMessageError,
  ForbiddenError,
  IdempotencyConflictError,
  NotFoundError,
  PeerUnreachableError,
  ServerError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  ValidationError,
} from "../core/mod.ts";
import { busCall, callOptions, type EffectCallOptions, handlerCall } from "./_bus_calls.ts";
import { withCurrentTrace } from "./_trace_bridge.ts";
import {
  type BusRegistration,
  coreHandlerOptions,
  type EffectBusHandlerOptions,
  registerScoped,
} from "./_bus_registration.ts";
import { acquireStoppable } from "./_acquire_stoppable.ts";
import { bridgeHandler } from "./_handler_bridge.ts";
import type { HandlerError } from "./handler_error.ts";

export type { EffectCallOptions } from "./_bus_calls.ts";
export type { BusRegistration, EffectBusHandlerOptions } from "./_bus_registration.ts";

/** What every client call can fail with before or without reaching a handler. */
export type CallError =
  | ValidationError
  | TimeoutError
  | StoreUnavailableError
  | PeerUnreachableError
  | CircuitOpenError
  | ClosedError
  | UnauthenticatedError
  | ForbiddenError
  | NotFoundError;
/** What `send` and `publish` can fail with (`ServerError`: a server over HTTP failed and logged why). */
export type SendError = CallError | DuplicateMessageError | IdempotencyConflictError | ServerError;
/** What `sendAndWait` can fail with: a send's failures, or the handler's ({@link HandlerError}). */
export type SendAndWaitError =
  | CallError
  | DuplicateMessageError
  | IdempotencyConflictError
  | HandlerError;
/** What `query` can fail with. */
export type QueryError = CallError | HandlerError;

/** Options of the Effect bus's `handleQuery`. */
export interface EffectQueryHandlerOptions {
  /** Longest one handler call may take; past it the handler is interrupted and the query fails. */
  readonly handlerTimeout?: EffectBusHandlerOptions["handlerTimeout"];
}

/**
 * The bus's operations as Effects, typed by the contracts `C`. Handler
 * registrations need a `Scope`: closing it stops the handler after the message
 * in progress. Handlers run with the services of the registering effect (`R`).
 */
export interface BusService<C extends BusContracts = BusContracts> {
  /** The Promise bus underneath (its `circuitBreaker`, or code written for the Promise API). */
  readonly port: CoreBus<C>;
  /** Succeeds once the command is durable; a repeated id is not handled again (`deduplicated: true`). */
  send<N extends CommandName<C>>(
    command: CommandInput<N, CommandInputData<C, N>>,
    options?: EffectCallOptions,
  ): Effect.Effect<SendReceipt, SendError>;
  /**
   * Sends a command and succeeds with its handler's result; fails with
   * {@link HandlerError} when the handler failed or the command was parked.
   * Interrupting it aborts the wait for the reply (the command stays sent).
   */
  sendAndWait<N extends CommandName<C>, A = unknown>(
    command: CommandInput<N, CommandInputData<C, N>>,
    options?: EffectCallOptions,
  ): Effect.Effect<A, SendAndWaitError>;
  /** Calls a query's handler; nothing is stored. */
  query<N extends QueryName<C>, A = unknown>(
    name: N,
    payload: QueryInputPayload<C, N>,
    options?: EffectCallOptions,
  ): Effect.Effect<A, QueryError>;
  /** Appends an event to its stream; every subscribed group gets it at its own checkpoint. */
  publish<N extends EventName<C>>(
    event: EventInput<N, EventInputData<C, N>>,
    options?: EffectCallOptions,
  ): Effect.Effect<PublishReceipt, SendError>;
  /** Registers the handler of a command name; what it succeeds with is what `sendAndWait` gets. */
  handleCommand<N extends CommandName<C>, A, E, R>(
    name: N,
    handler: (
      command: ReceivedMessage<N, CommandData<C, N>>,
      context: DeliveryContext,
    ) => Effect.Effect<A, E, R>,
    options?: EffectBusHandlerOptions<R>,
  ): Effect.Effect<BusRegistration, ValidationError, Scope.Scope | R>;
  /** Registers the handler of a query name. It must not change state: queries are retried. */
  handleQuery<N extends QueryName<C>, A, E, R>(
    name: N,
    handler: (payload: QueryPayload<C, N>, context: QueryContext) => Effect.Effect<A, E, R>,
    options?: EffectQueryHandlerOptions,
  ): Effect.Effect<BusRegistration, ValidationError, Scope.Scope | R>;
  /** Subscribes a group to events by name (from any stream) or to a stream category. */
  subscribe<N extends EventName<C>, E, R>(
    group: string,
    events: readonly N[] | { readonly category: string },
    handler: (
      event: ReceivedMessage<N, EventData<C, N>>,
      context: DeliveryContext,
    ) => Effect.Effect<void, E, R>,
    options?: EffectBusHandlerOptions<R>,
  ): Effect.Effect<BusRegistration, ValidationError, Scope.Scope | R>;
}

/** Options of {@link makeBus} and {@link busLayer}: the core bus options, with the transport as a value or an Effect. */
export interface MakeBusOptions<C extends BusContracts, E = never, R = never>
  extends Omit<CreateBusOptions<C>, "transport"> {
  /** The bus owns it: it is closed with the bus. See `inProcessTransport` and `storeBackedTransport`. */
  readonly transport: Transport | Effect.Effect<Transport, E, R>;
}

const CALL_TAGS = [
  "ValidationError",
  "TimeoutError",
  "StoreUnavailableError",
  "PeerUnreachableError",
  "CircuitOpenError",
  "ClosedError",
  "UnauthenticatedError",
  "ForbiddenError",
  "NotFoundError",
] as const;
const WAIT_TAGS = [...CALL_TAGS, "DuplicateMessageError", "IdempotencyConflictError"] as const;
// A server's failure is the handler's for calls that reach one (a HandlerError), not for send and publish.
const SEND_TAGS = [...WAIT_TAGS, "ServerError"] as const;
const QUERY_TAGS = CALL_TAGS;

/**
 * Makes a bus in the current scope, closed (handlers stopped, transport
 * closed) when the scope closes. Use it to provide a service key of your own
 * that carries your contracts' types; {@link busLayer} provides the untyped {@link Bus}.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer, Schema } from "effect";
 * import { type BusService, inProcessTransport, makeBus } from "./mod.ts";
 * const contracts = { commands: { "users/lock": Schema.toStandardSchemaV1(Schema.Struct({ id: Schema.String })) } };
 * class Users extends Context.Service<Users, BusService<typeof contracts>>()("app/Users") {}
 * const UsersLive = Layer.effect(Users, makeBus({ transport: inProcessTransport(), contracts }));
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const users = yield* Users;
 *   yield* users.handleCommand("users/lock", (command) => Effect.succeed(`locked ${command.data.id}`));
 *   return yield* users.sendAndWait({ type: "users/lock", data: { id: "u-1" } });
 * }));
 * console.log(await Effect.runPromise(Effect.provide(program, UsersLive))); // locked u-1
 * ```
 */
export function makeBus<const C extends BusContracts = BusContracts, E = never, R = never>(
  options: MakeBusOptions<C, E, R>,
): Effect.Effect<BusService<C>, ValidationError | E, Scope.Scope | R> {
  const { transport, ...busOptions } = options;
  const acquireTransport: Effect.Effect<Transport, E, R> = Effect.isEffect(transport)
    ? transport
    : Effect.succeed(transport);
  return Effect.flatMap(acquireTransport, (made) =>
    Effect.map(
      acquireStoppable(() => {
        const bus = createBus<BusContracts>({ ...busOptions, transport: made });
        return { bus, stop: () => bus.close() };
      }),
      ({ bus }) => wrap(bus, directCallsOf(made) === undefined) as unknown as BusService<C>,
    ));
}

/**
 * The bus service key for code that needs no contract types; provide it with
 * {@link busLayer}. For typed contracts, declare a key of your own over
 * `BusService<typeof contracts>` and provide it with `Layer.effect(Key, makeBus(...))`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { Bus, busLayer, inProcessTransport } from "./mod.ts";
 * const program = Effect.scoped(Effect.gen(function* () {
 *   const bus = yield* Bus;
 *   yield* bus.handleQuery("orders/show", (payload) => Effect.succeed({ shown: payload }));
 *   return yield* bus.query("orders/show", 42);
 * }));
 * console.log(await Effect.runPromise(Effect.provide(program, busLayer({ transport: inProcessTransport() })))); // { shown: 42 }
 * ```
 */
export class Bus extends Context.Service<Bus, BusService>()("ordo/Bus") {}

/**
 * A layer providing {@link Bus}: a bus over `options.transport`, closed when
 * the layer's scope closes.
 *
 * @example
 * ```ts
 * import { Layer } from "effect";
 * import { busLayer, memoryLayer, storeBackedTransport } from "./mod.ts";
 * const layer = busLayer({ transport: storeBackedTransport() }).pipe(Layer.provideMerge(memoryLayer()));
 * ```
 */
export function busLayer<const C extends BusContracts = BusContracts, E = never, R = never>(
  options: MakeBusOptions<C, E, R>,
): Layer.Layer<Bus, ValidationError | E, Exclude<R, Scope.Scope>> {
  return Layer.effect(
    Bus,
    makeBus(options) as unknown as Effect.Effect<BusService, ValidationError | E, Scope.Scope | R>,
  );
}

// `abortable`: the fiber's AbortSignal goes to every call, so that an interrupt
// cancels it (an HTTP request, a NATS request) and the bus's close() need not
// wait for it. Not over a transport that answers in the caller's turn (the
// in-process one): nothing there looks at the signal (its handlers get none,
// and the interrupt already ends the fiber's wait), while an AbortSignal made
// per call took in-process Effect queries from about 550k to 170k calls/s.
function wrap(bus: CoreBus<BusContracts>, abortable: boolean): BusService<BusContracts> {
  return {
    port: bus,
    // The calls pass `run` as an argument, not as an object's property: tools
    // that keep function names (tsx) wrap an arrow in a property in a naming
    // call each time it is made, here once per call.
    send: (command, options) =>
      withCurrentTrace(options?.trace, (trace) =>
        busCall(
          SEND_TAGS,
          abortable
            ? (signal) => bus.send(command, callOptions(options, signal, trace))
            : () => bus.send(command, callOptions(options, undefined, trace)),
        )),
    sendAndWait: (command, options) =>
      withCurrentTrace(options?.trace, (trace) =>
        handlerCall(
          WAIT_TAGS,
          "sendAndWait",
          command?.type,
          (signal) => bus.sendAndWait(command, callOptions(options, signal, trace)),
        )),
    query: (name, payload, options) =>
      withCurrentTrace(options?.trace, (trace) =>
        handlerCall(
          QUERY_TAGS,
          "query",
          name,
          abortable
            ? (signal) => bus.query(name, payload, callOptions(options, signal, trace))
            : () => bus.query(name, payload, callOptions(options, undefined, trace)),
        )),
    publish: (event, options) =>
      withCurrentTrace(options?.trace, (trace) =>
        busCall(
          SEND_TAGS,
          abortable
            ? (signal) => bus.publish(event, callOptions(options, signal, trace))
            : () => bus.publish(event, callOptions(options, undefined, trace)),
        )),
    handleCommand: (name, handler, options) =>
      registerScoped((context) =>
        bus.handleCommand(
          name,
          bridgeHandler(handler, context, {
            timeout: options?.handlerTimeout,
            describe: (command) => `handler of command "${name}" on "${command.id}"`,
            trace: (_command, context) => context?.trace,
          }),
          coreHandlerOptions(options, context),
        )
      ),
    handleQuery: (name, handler, options) =>
      registerScoped((context) =>
        bus.handleQuery(
          name,
          bridgeHandler(handler, context, {
            timeout: options?.handlerTimeout,
            describe: () => `handler of query "${name}"`,
            trace: (_payload, context) => context?.trace,
          }),
        )
      ),
    subscribe: (group, events, handler, options) =>
      registerScoped((context) =>
        bus.subscribe(
          group,
          events,
          bridgeHandler(handler, context, {
            timeout: options?.handlerTimeout,
            describe: (event) => `handler of group "${group}" on "${event.id}"`,
            trace: (_event, context) => context?.trace,
          }),
          coreHandlerOptions(options, context),
        )
      ),
  };
}
