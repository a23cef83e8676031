/**
 * The bus's public shapes: what a caller passes to {@link Bus} calls, the
 * handlers it registers, and the time limits it may set. Kept apart from the
 * bus's workings so that a reader of the API reads only this file.
 *
 * @module
 */

import type { RetryPolicy } from "../consumers/mod.ts";
import type { Logger } from "../logger.ts";
import type { MessageMetadata } from "../message.ts";
import type { Telemetry, TraceContext } from "../telemetry/mod.ts";
import type { CircuitBreaker, CircuitBreakerOptions } from "./circuit_breaker.ts";
import type {
  BusContracts,
  CommandData,
  CommandInputData,
  CommandName,
  EventInputData,
  EventName,
  QueryInputPayload,
  QueryName,
  QueryPayload,
  ReceivedEvent,
} from "./contracts.ts";
import type {
  DeliveryContext,
  HandlerOptions,
  PublishReceipt,
  QueryContext,
  ReceivedMessage,
  Registration,
  SendReceipt,
  Transport,
} from "./transport.ts";

/** Default time limits of the client calls, in milliseconds. */
export const DEFAULT_BUS_TIMEOUTS: Required<BusTimeouts> = Object.freeze({
  send: 10_000,
  sendAndWait: 30_000,
  query: 10_000,
  publish: 10_000,
});

/** Time limits of the client calls, in milliseconds; each covers the call's retries too. */
export interface BusTimeouts {
  /** Until the command is durable. Default 10,000. */
  readonly send?: number;
  /** Until the command's handler has answered. Default 30,000. */
  readonly sendAndWait?: number;
  /** Until the query's handler has answered. Default 10,000. */
  readonly query?: number;
  /** Until the event is stored. Default 10,000. */
  readonly publish?: number;
}

/** Options of `createBus`. */
export interface CreateBusOptions<C extends BusContracts> {
  /** What carries the calls: in-process, store-backed, HTTP, or your own; `close()` closes it. */
  readonly transport: Transport;
  /** Schemas that check and type names and data (see `defineContracts`). Default: any name, any data. */
  readonly contracts?: C;
  /** Per-kind limits; a kind left out keeps `DEFAULT_BUS_TIMEOUTS`. */
  readonly timeouts?: BusTimeouts;
  /** Client-side retries of calls that found the transport unavailable; `false` for none. Default: 3 attempts. */
  readonly retry?: RetryPolicy | false;
  /** A breaker (shared, or options for a new one), or `false` for none. Default: a breaker with default options. */
  readonly circuitBreaker?: CircuitBreaker | CircuitBreakerOptions | false;
  /**
   * Where calls report spans and metrics. Default: the transport's (see
   * `Transport.telemetry`); pass `noTelemetry` to report nothing.
   */
  readonly telemetry?: Telemetry;
  /** The bus's name in metrics (`ordo.bus.name`), the service's say. Default `"default"`. */
  readonly name?: string;

  /**
   * Where the bus and its handlers report (a handler failure, a parked
   * message, its own breaker opening), one line per event; `silentLogger`
   * silences them. Default: the transport's logger, else the console.
   */
  readonly logger?: Logger;
}

/** A command as a sender writes it. */
export interface CommandInput<N extends string = string, D = unknown> {
  /** The command's name, `service/action` (`users/lock`): the service's handler gets it. */
  readonly type: N;
  /** What the handler needs; checked by the name's contract when there is one. */
  readonly data: D;
  /** A UUID; give one to make retries of your own safe. Default: a random one. */
  readonly id?: string;
  /** Commands with one key are handled in order (they share a stream). Default: the id. */
  readonly key?: string;
  /** Travels with the command to its handler (correlation, causation, fields of your own). */
  readonly metadata?: MessageMetadata;
}

/** An event as a publisher writes it. */
export interface EventInput<N extends string = string, D = unknown> {
  /** The event's name, `service/action` (`orders/placed`): subscribers select on it. */
  readonly type: N;
  /** What happened; checked by the name's contract when there is one. */
  readonly data: D;
  /** A UUID; give one to make retries of your own safe. Default: a random one. */
  readonly id?: string;
  /** The stream to append to (`order-42`). Default: `<service>-<key>`. */
  readonly stream?: string;
  /** Stream id under the event's service when no `stream` is given. Default: the id. */
  readonly key?: string;
  /** Travels with the event to every subscriber (correlation, causation, fields of your own). */
  readonly metadata?: MessageMetadata;
}

/** Options of a client call. */
export interface BusCallOptions {
  /** Milliseconds for the whole call, retries included. Default from {@link BusTimeouts}. */
  readonly timeout?: number;
  /** Aborting rejects the call with the signal's reason and stops its retries. */
  readonly signal?: AbortSignal;
  /**
   * The trace this call is part of (a handler's `context.trace`): its span is
   * that context's child. Carried on even when the bus has no telemetry.
   */
  readonly trace?: TraceContext;
}

/** A command handler: its result is what `sendAndWait` resolves with (JSON for stored transports). */
export type CommandHandler<N extends string = string, D = unknown> = (
  command: ReceivedMessage<N, D>,
  context: DeliveryContext,
) => unknown;
/** A query handler: must not change state (queries are retried). */
export type QueryHandler<P = unknown> = (payload: P, context: QueryContext) => unknown;
/** An event handler. */
export type EventHandler<N extends string = string, D = unknown> = (
  event: ReceivedMessage<N, D>,
  context: DeliveryContext,
) => unknown;

/** A bus; see `createBus`. */
export interface Bus<C extends BusContracts = BusContracts> {
  /** The circuit breaker guarding this bus's calls (its `state` and `subscribe` observe it). */
  readonly circuitBreaker: CircuitBreaker | undefined;
  /** Where its calls report spans and metrics; `undefined` when they report nothing. */
  readonly telemetry: Telemetry | undefined;
  /**
   * Resolves once the command is durable (stored, or accepted in-process).
   * A repeated id is not stored or handled again (`deduplicated: true`).
   * @throws {ValidationError} naming the field, before anything is sent
   * @throws {IdempotencyConflictError} when the id was already used for another type or other data
   * @throws {TimeoutError} after `timeout`; `PeerUnreachableError` or `StoreUnavailableError`
   *   when unreachable after retries; `CircuitOpenError` when the circuit is open
   */
  send<N extends CommandName<C>>(
    command: CommandInput<N, CommandInputData<C, N>>,
    options?: BusCallOptions,
  ): Promise<SendReceipt>;
  /**
   * Sends a command and resolves with its handler's result; rejects with the
   * handler's error, a `TimeoutError` (saying when no handler of the name is
   * known here), or what `send` rejects with. In-process, with no handler
   * registered, rejects at once with `NotFoundError`.
   */
  sendAndWait<N extends CommandName<C>, R = unknown>(
    command: CommandInput<N, CommandInputData<C, N>>,
    options?: BusCallOptions,
  ): Promise<R>;
  /** Calls a query's handler and resolves with its answer; nothing is stored. Rejects with `NotFoundError` when no handler serves the name. */
  query<N extends QueryName<C>, R = unknown>(
    name: N,
    payload: QueryInputPayload<C, N>,
    options?: BusCallOptions,
  ): Promise<R>;
  /** Appends an event to its stream; every subscribed group gets it at its own checkpoint. */
  publish<N extends EventName<C>>(
    event: EventInput<N, EventInputData<C, N>>,
    options?: BusCallOptions,
  ): Promise<PublishReceipt>;
  /** Registers the handler of a command name. @throws {ValidationError} at `handler` when it is not a function */
  handleCommand<N extends CommandName<C>>(
    name: N,
    handler: CommandHandler<N, CommandData<C, N>>,
    options?: HandlerOptions,
  ): Registration;
  /** Registers the handler of a query name. @throws {ValidationError} at `handler` when it is not a function */
  handleQuery<N extends QueryName<C>>(
    name: N,
    handler: QueryHandler<QueryPayload<C, N>>,
  ): Registration;
  /**
   * Subscribes a group to events by name (from any stream) or to a stream
   * category. The handler's event is a union over the names, so its `type`
   * narrows its `data`.
   * @throws {ValidationError} at `selector` when it is neither an array of
   *   event names nor `{ category }`, at `handler` when that is not a function
   */
  subscribe<N extends EventName<C>>(
    group: string,
    selector: readonly N[] | { readonly category: string },
    handler: (event: ReceivedEvent<C, N>, context: DeliveryContext) => unknown,
    options?: HandlerOptions,
  ): Registration;
  /**
   * Stops handlers (each finishes the message in progress), closes the
   * transport and clears timers. Idempotent; afterwards every call is refused
   * with `ClosedError` (the calls reject, the registrations throw).
   */
  close(): Promise<void>;
}
