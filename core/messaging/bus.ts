/**
 * The bus: commands, queries and events over any {@link Transport}. It checks
 * names and contracts at the sender, chooses ids, and makes every client call
 * safe: a deadline, retries with backoff and jitter where a retry cannot do
 * harm, and a circuit breaker. Handlers are registered on the bus too, and
 * see messages their contract has validated again on arrival.
 *
 * @module
 */

import type { RetryPolicy } from "../consumers/backoff.ts";
import { isoNow } from "../clock.ts";
import { ValidationError } from "../errors.ts";
import type { MessageMetadata } from "../message.ts";
import { validateId } from "../validate_append.ts";
import { CallGuard, type GuardedCallOptions } from "./call_guard.ts";
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from "./circuit_breaker.ts";
import type {
  BusContracts,
  CommandData,
  CommandInputData,
  CommandName,
  EventData,
  EventInputData,
  EventName,
  QueryInputPayload,
  QueryName,
  QueryPayload,
  SchemaMap,
} from "./contracts.ts";
import { type DirectCalls, directCallsOf } from "./direct_calls.ts";
import { eventStream, serviceOf } from "./names.ts";
import { clientRetryPolicy } from "./retry.ts";
import { type StandardSchemaV1, validateStandard } from "./standard_schema.ts";
import type {
  CommandEnvelope,
  DeliveryContext,
  EventEnvelope,
  EventSelector,
  HandlerOptions,
  PublishReceipt,
  QueryContext,
  QueryEnvelope,
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
  readonly send?: number;
  readonly sendAndWait?: number;
  readonly query?: number;
  readonly publish?: number;
}

/** Options of {@link createBus}. */
export interface CreateBusOptions<C extends BusContracts> {
  readonly transport: Transport;
  readonly contracts?: C;
  readonly timeouts?: BusTimeouts;
  /** Client-side retries of calls that found the transport unavailable; `false` for none. Default: 3 attempts. */
  readonly retry?: RetryPolicy | false;
  /** A breaker (shared, or options for a new one), or `false` for none. Default: a breaker with default options. */
  readonly circuitBreaker?: CircuitBreaker | CircuitBreakerOptions | false;
}

/** A command as a sender writes it. */
export interface CommandInput<N extends string = string, D = unknown> {
  readonly type: N;
  readonly data: D;
  /** A UUID; give one to make retries of your own safe. Default: a random one. */
  readonly id?: string;
  /** Commands with one key are handled in order (they share a stream). Default: the id. */
  readonly key?: string;
  readonly metadata?: MessageMetadata;
}

/** An event as a publisher writes it. */
export interface EventInput<N extends string = string, D = unknown> {
  readonly type: N;
  readonly data: D;
  readonly id?: string;
  /** The stream to append to (`order-42`). Default: `<service>-<key>`. */
  readonly stream?: string;
  /** Stream id under the event's service when no `stream` is given. Default: the id. */
  readonly key?: string;
  readonly metadata?: MessageMetadata;
}

/** Options of a client call. */
export interface BusCallOptions {
  /** Milliseconds for the whole call, retries included. Default from {@link BusTimeouts}. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
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

/** A bus; see {@link createBus}. */
export interface Bus<C extends BusContracts = BusContracts> {
  /** The circuit breaker guarding this bus's calls (its `state` and `subscribe` observe it). */
  readonly circuitBreaker: CircuitBreaker | undefined;
  /**
   * Resolves once the command is durable (stored, or accepted in-process).
   * A repeated id is not stored or handled again (`deduplicated: true`).
   * @throws {ValidationError} naming the field, before anything is sent
   * @throws {TimeoutError} after `timeout`; @throws {StoreUnavailableError} when unreachable after retries or the circuit is open
   */
  send<N extends CommandName<C>>(
    command: CommandInput<N, CommandInputData<C, N>>,
    options?: BusCallOptions,
  ): Promise<SendReceipt>;
  /** Sends a command and resolves with its handler's result; rejects with the handler's error or a `TimeoutError`. */
  sendAndWait<N extends CommandName<C>, R = unknown>(
    command: CommandInput<N, CommandInputData<C, N>>,
    options?: BusCallOptions,
  ): Promise<R>;
  /** Calls a query's handler and resolves with its answer; nothing is stored. */
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
  /** Registers the handler of a command name. */
  handleCommand<N extends CommandName<C>>(
    name: N,
    handler: CommandHandler<N, CommandData<C, N>>,
    options?: HandlerOptions,
  ): Registration;
  /** Registers the handler of a query name. */
  handleQuery<N extends QueryName<C>>(
    name: N,
    handler: QueryHandler<QueryPayload<C, N>>,
  ): Registration;
  /** Subscribes a group to events by name (from any stream) or to a stream category. */
  subscribe<N extends EventName<C>>(
    group: string,
    events: readonly N[] | { readonly category: string },
    handler: EventHandler<N, EventData<C, N>>,
    options?: HandlerOptions,
  ): Registration;
  /** Stops handlers, clears timers and closes the transport. */
  close(): Promise<void>;
}

/**
 * Creates a bus over a transport.
 *
 * @throws {ValidationError} on bad options
 * @example
 * ```ts
 * import { createBus } from "./bus.ts";
 * import { createInProcessTransport } from "../../transports/in_process.ts";
 * const bus = createBus({ transport: createInProcessTransport() });
 * bus.handleQuery("orders/show", (payload) => ({ id: payload, total: 3 }));
 * console.log(await bus.query("orders/show", "42")); // { id: "42", total: 3 }
 * await bus.close();
 * ```
 */
export function createBus<const C extends BusContracts = BusContracts>(
  options: CreateBusOptions<C>,
): Bus<C> {
  return new MessageBus<C>(options) as unknown as Bus<C>;
}

function checkTimeout(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new ValidationError(
      path,
      value,
      "must be a positive number of milliseconds (Infinity for none)",
    );
  }
  return value;
}

function schemaFor(
  section: SchemaMap | undefined,
  name: string,
  path: string,
): StandardSchemaV1 | undefined {
  if (section === undefined) return undefined;
  const schema = section[name];
  if (schema === undefined) {
    throw new ValidationError(path, name, "no contract is declared for this name");
  }
  return schema;
}

/** Routes kept per bus and kind of call; past this many names, routes are made per call and not kept. */
const ROUTE_CACHE_LIMIT = 10_000;

/** What the bus knows about a name once it has checked it: its contract and its default call options. */
interface Route {
  readonly schema: StandardSchemaV1 | undefined;
  readonly call: GuardedCallOptions;
}

/** A command name's route: `send` and `sendAndWait` differ in timeout and in how errors name them. */
interface CommandRoute extends Route {
  readonly wait: GuardedCallOptions;
}

class MessageBus<C extends BusContracts> {
  readonly #transport: Transport;
  readonly #direct: DirectCalls | undefined;
  readonly #contracts: BusContracts;
  readonly #timeouts: Required<BusTimeouts>;
  readonly #guard: CallGuard;
  readonly #queries = new Map<string, Route>();
  readonly #events = new Map<string, Route>();
  readonly #commands = new Map<string, CommandRoute>();
  readonly #streams = new Map<string, true>();
  readonly circuitBreaker: CircuitBreaker | undefined;

  constructor(options: CreateBusOptions<C>) {
    if (typeof options?.transport?.send !== "function") {
      throw new ValidationError("options.transport", options?.transport, "must be a Transport");
    }
    this.#transport = options.transport;
    this.#direct = directCallsOf(options.transport);
    this.#contracts = options.contracts ?? {};
    const t = options.timeouts ?? {};
    this.#timeouts = {
      send: checkTimeout(t.send, "options.timeouts.send", DEFAULT_BUS_TIMEOUTS.send),
      sendAndWait: checkTimeout(
        t.sendAndWait,
        "options.timeouts.sendAndWait",
        DEFAULT_BUS_TIMEOUTS.sendAndWait,
      ),
      query: checkTimeout(t.query, "options.timeouts.query", DEFAULT_BUS_TIMEOUTS.query),
      publish: checkTimeout(t.publish, "options.timeouts.publish", DEFAULT_BUS_TIMEOUTS.publish),
    };
    const breaker = options.circuitBreaker;
    this.circuitBreaker = breaker === false
      ? undefined
      : breaker !== undefined && typeof (breaker as CircuitBreaker).tryAcquire === "function"
      ? breaker as CircuitBreaker
      : createCircuitBreaker(breaker as CircuitBreakerOptions | undefined);
    this.#guard = new CallGuard({
      breaker: this.circuitBreaker,
      retry: clientRetryPolicy(options.retry),
    });
  }

  // The client calls check what they can in the caller's turn and return the
  // guard's promise itself: no async frame of their own unless a schema has
  // to be awaited, since queries and in-process publishes are the hot paths.
  // Checks run in the order they always did: name, contract, data, id, stream, options.

  send(command: CommandInput, options?: BusCallOptions): Promise<SendReceipt> {
    try {
      const route = this.#commandRoute(command);
      if (route.schema === undefined) {
        return this.#send(commandEnvelope(command), callOptions(route.call, options));
      }
      return Promise.resolve(validateStandard(route.schema, command.data, "command.data"))
        .then(() => this.#send(commandEnvelope(command), callOptions(route.call, options)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #send(envelope: CommandEnvelope, call: GuardedCallOptions): Promise<SendReceipt> {
    const direct = this.#direct;
    if (direct !== undefined) return this.#guard.runDirect(direct.send, envelope, call);
    return this.#guard.run((scope) => this.#transport.send(envelope, scope), call);
  }

  sendAndWait(command: CommandInput, options?: BusCallOptions): Promise<unknown> {
    try {
      const route = this.#commandRoute(command);
      if (route.schema === undefined) {
        return this.#sendAndWait(commandEnvelope(command), callOptions(route.wait, options));
      }
      return Promise.resolve(validateStandard(route.schema, command.data, "command.data"))
        .then(() => this.#sendAndWait(commandEnvelope(command), callOptions(route.wait, options)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #sendAndWait(envelope: CommandEnvelope, call: GuardedCallOptions): Promise<unknown> {
    return this.#guard.run((scope) => this.#transport.sendAndWait(envelope, scope), call);
  }

  query(name: string, payload: unknown, options?: BusCallOptions): Promise<unknown> {
    try {
      const route = this.#queryRoute(name);
      if (route.schema === undefined) {
        return this.#query({ name, payload }, callOptions(route.call, options));
      }
      return Promise.resolve(validateStandard(route.schema, payload, "query.payload"))
        .then(() => this.#query({ name, payload }, callOptions(route.call, options)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #query(envelope: QueryEnvelope, call: GuardedCallOptions): Promise<unknown> {
    const direct = this.#direct;
    if (direct !== undefined) return this.#guard.runDirect(direct.query, envelope, call);
    return this.#guard.run((scope) => this.#transport.query(envelope, scope), call);
  }

  publish(event: EventInput, options?: BusCallOptions): Promise<PublishReceipt> {
    try {
      if (typeof event !== "object" || event === null) {
        throw new ValidationError("event", event, "expected { type, data, id?, stream?, key? }");
      }
      const route = this.#eventRoute(event.type);
      if (route.schema === undefined) {
        return this.#publish(this.#eventEnvelope(event), callOptions(route.call, options));
      }
      return Promise.resolve(validateStandard(route.schema, event.data, "event.data"))
        .then(() => this.#publish(this.#eventEnvelope(event), callOptions(route.call, options)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #publish(envelope: EventEnvelope, call: GuardedCallOptions): Promise<PublishReceipt> {
    const direct = this.#direct;
    if (direct !== undefined) return this.#guard.runDirect(direct.publish, envelope, call);
    return this.#guard.run((scope) => this.#transport.publish(envelope, scope), call);
  }

  #eventEnvelope(event: EventInput): EventEnvelope {
    const id = event.id === undefined ? crypto.randomUUID() : validateId(event.id, "event.id");
    return {
      id,
      type: event.type,
      data: event.data,
      streamName: this.#eventStream(event, id),
      metadata: withDefaults(event.metadata, id),
    };
  }

  /** The event's stream, checked; a `stream` given is checked once per bus (up to {@link ROUTE_CACHE_LIMIT} of them), as a store checks a stream when it creates it. */
  #eventStream(event: EventInput, id: string): string {
    const given = event.stream;
    if (given !== undefined && this.#streams.has(given)) return given;
    const stream = eventStream(event.type, { stream: given, key: event.key ?? id });
    if (given !== undefined) remember(this.#streams, given, true);
    return stream;
  }

  handleCommand(name: string, handler: CommandHandler, options?: HandlerOptions): Registration {
    serviceOf(name, "command");
    const schema = schemaFor(this.#contracts.commands, name, "command");
    return this.#transport.handleCommand(
      name,
      withSchema(schema, "command.data", handler),
      options,
    );
  }

  handleQuery(name: string, handler: QueryHandler): Registration {
    serviceOf(name, "query");
    const schema = schemaFor(this.#contracts.queries, name, "query");
    if (schema === undefined) return this.#transport.handleQuery(name, handler);
    return this.#transport.handleQuery(
      name,
      async (payload, context) =>
        handler(await validateStandard(schema, payload, "query.payload"), context),
    );
  }

  subscribe(
    group: string,
    events: EventSelector,
    handler: EventHandler,
    options?: HandlerOptions,
  ): Registration {
    if (Array.isArray(events)) {
      if (events.length === 0) {
        throw new ValidationError("events", events, "name at least one event");
      }
      events.forEach((name, i) => serviceOf(name, `events[${i}]`));
      const section = this.#contracts.events;
      if (section === undefined) return this.#transport.subscribe(group, events, handler, options);
      const schemas = new Map(
        events.map((name, i) => [name, schemaFor(section, name, `events[${i}]`)!]),
      );
      return this.#transport.subscribe(group, events, async (event, context) => {
        const schema = schemas.get(event.type)!;
        return await handler({
          ...event,
          data: await validateStandard(schema, event.data, "event.data"),
        }, context);
      }, options);
    }
    return this.#transport.subscribe(group, events, handler, options);
  }

  async close(): Promise<void> {
    this.#guard.close();
    await this.#transport.close();
  }

  #commandRoute(command: CommandInput): CommandRoute {
    if (typeof command !== "object" || command === null) {
      throw new ValidationError("command", command, "expected { type, data, id?, key? }");
    }
    const type = command.type;
    const known = this.#commands.get(type);
    if (known !== undefined) return known;
    serviceOf(type, "command.type");
    return remember(this.#commands, type, {
      schema: schemaFor(this.#contracts.commands, type, "command.type"),
      call: Object.freeze({ timeout: this.#timeouts.send, operation: `send "${type}"` }),
      wait: Object.freeze({
        timeout: this.#timeouts.sendAndWait,
        operation: `sendAndWait "${type}"`,
      }),
    });
  }

  #queryRoute(name: string): Route {
    const known = this.#queries.get(name);
    if (known !== undefined) return known;
    serviceOf(name, "query");
    return remember(this.#queries, name, {
      schema: schemaFor(this.#contracts.queries, name, "query"),
      call: Object.freeze({ timeout: this.#timeouts.query, operation: `query "${name}"` }),
    });
  }

  #eventRoute(type: string): Route {
    const known = this.#events.get(type);
    if (known !== undefined) return known;
    serviceOf(type, "event.type");
    return remember(this.#events, type, {
      schema: schemaFor(this.#contracts.events, type, "event.type"),
      call: Object.freeze({ timeout: this.#timeouts.publish, operation: `publish "${type}"` }),
    });
  }
}

/** Keeps a checked route for the next call with its name, up to {@link ROUTE_CACHE_LIMIT} names. */
function remember<R>(routes: Map<string, R>, name: string, route: R): R {
  if (routes.size < ROUTE_CACHE_LIMIT) routes.set(name, route);
  return route;
}

/** The call options of one call: the route's defaults unless the caller gave a timeout or a signal. */
function callOptions(
  defaults: GuardedCallOptions,
  options: BusCallOptions | undefined,
): GuardedCallOptions {
  if (options === undefined || (options.timeout === undefined && options.signal === undefined)) {
    return defaults;
  }
  return {
    timeout: checkTimeout(options.timeout, "options.timeout", defaults.timeout!),
    signal: options.signal,
    operation: defaults.operation,
  };
}

function commandEnvelope(command: CommandInput): CommandEnvelope {
  const id = command.id === undefined ? crypto.randomUUID() : validateId(command.id, "command.id");
  const key = command.key ?? id;
  if (typeof key !== "string" || key.length === 0) {
    throw new ValidationError("command.key", key, "must be a non-empty string");
  }
  return {
    id,
    type: command.type,
    data: command.data,
    key,
    metadata: withDefaults(command.metadata, id),
  };
}

function withDefaults(metadata: MessageMetadata | undefined, id: string): MessageMetadata {
  if (metadata === undefined) return { timestamp: isoNow(), correlationId: id };
  return { timestamp: isoNow(), ...metadata, correlationId: metadata.correlationId ?? id };
}

function withSchema<H extends (message: ReceivedMessage, context: DeliveryContext) => unknown>(
  schema: StandardSchemaV1 | undefined,
  path: string,
  handler: H,
): H {
  if (schema === undefined) return handler;
  return (async (message: ReceivedMessage, context: DeliveryContext) =>
    await handler(
      { ...message, data: await validateStandard(schema, message.data, path) },
      context,
    )) as H;
}
