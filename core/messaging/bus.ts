/**
 * The bus: commands, queries and events over any {@link Transport}. It checks
 * names and contracts at the sender, chooses ids, and makes every client call
 * safe: a deadline, retries with backoff and jitter where a retry cannot do
 * harm, and a circuit breaker. Handlers are registered on the bus too, and
 * see messages their contract has validated again on arrival. Its public
 * shapes are in bus_types.ts.
 *
 * @module
 */

import { CloseGate } from "../closing.ts";
import type { Logger } from "../logger.ts";
import { checkFunction } from "../options.ts";
import { inheritedTelemetry, type Telemetry } from "../telemetry/mod.ts";
import { validateId } from "../validate_append.ts";
import {
  type Bus,
  type BusCallOptions,
  type BusTimeouts,
  type CommandHandler,
  type CommandInput,
  type CreateBusOptions,
  type EventHandler,
  type EventInput,
  type QueryHandler,
} from "./bus_types.ts";
import { BusTelemetry, carryingTrace, queryCarrying } from "./_bus_telemetry.ts";
import {
  busLabel,
  busName,
  checkBusOptions,
  handlerOptions,
  logBreakerChanges,
} from "./_bus_options.ts";
import { CallGuard, type GuardedCallOptions } from "./call_guard.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import type { BusContracts } from "./contracts.ts";
import { type DirectCalls, directCallsOf } from "./direct_calls.ts";
import {
  checkCommandInput,
  checkEventInput,
  commandEnvelope,
  withDefaults,
  withSchema,
} from "./_envelopes.ts";
import { checkEventSelector } from "./event_selector.ts";
import { withUnansweredHint } from "./_unanswered.ts";
import { RunningHandlers } from "./_running_handlers.ts";
import { BUS_BRAND } from "./transport_check.ts";
import { eventStream, serviceOf } from "./names.ts";
import { callOptions, type CommandRoute, remember, type Route, schemaFor } from "./_routes.ts";
import { validateStandard } from "./standard_schema.ts";
import type {
  CommandEnvelope,
  EventEnvelope,
  EventSelector,
  HandlerOptions,
  PublishReceipt,
  QueryEnvelope,
  Registration,
  SendReceipt,
  Transport,
} from "./transport.ts";

/**
 * Creates a bus over a transport.
 *
 * After `close()` every call is refused with `ClosedError` (the client calls
 * reject, the registrations throw); `close()` is idempotent.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
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

class MessageBus<C extends BusContracts> {
  /** Says "a bus" to checkTransport: passed where its transport belongs, it is refused by name. */
  readonly [BUS_BRAND] = true;
  readonly #transport: Transport;
  readonly #direct: DirectCalls | undefined;
  readonly #contracts: BusContracts;
  readonly #timeouts: Required<BusTimeouts>;
  readonly #guard: CallGuard;
  readonly #logger: Logger;
  readonly #name: string; // for log lines
  readonly #gate = new CloseGate("bus");
  readonly #running = new RunningHandlers();
  readonly #queries = new Map<string, Route>();
  readonly #events = new Map<string, Route>();
  readonly #commands = new Map<string, CommandRoute>();
  readonly #streams = new Map<string, true>();
  readonly #unsubscribe: (() => void) | undefined;
  readonly circuitBreaker: CircuitBreaker | undefined;
  readonly telemetry: Telemetry | undefined;
  /** Set only when the bus has telemetry: every call checks this one field. */
  readonly #traces: BusTelemetry | undefined;

  constructor(options: CreateBusOptions<C>) {
    const checked = checkBusOptions(options);
    this.#transport = checked.transport;
    this.#direct = directCallsOf(checked.transport);
    this.#contracts = checked.contracts;
    this.#timeouts = checked.timeouts;
    this.#logger = checked.logger;
    this.#name = busLabel(options.name);
    this.circuitBreaker = checked.breaker;
    this.#guard = new CallGuard(checked); // its breaker, retry policy and what the breaker guards
    // A breaker of its own is the bus's to report; a shared one is its owner's.
    this.#unsubscribe = checked.ownBreaker ? logBreakerChanges(checked, this.#name) : undefined;
    this.telemetry = inheritedTelemetry(options.telemetry, checked.transport);
    this.#traces = this.telemetry === undefined
      ? undefined
      : new BusTelemetry(this.telemetry, busName(options.name), this.circuitBreaker);
  }

  // The client calls check what they can in the caller's turn and return the guard's promise
  // itself: no async frame of their own unless a schema has to be awaited (queries and in-process
  // publishes are the hot paths). Checks run in order: name, contract, data, id, stream, options.

  send(command: CommandInput, options?: BusCallOptions): Promise<SendReceipt> {
    if (this.#gate.closed) return this.#gate.refuse(`send "${command?.type}"`);
    try {
      const route = this.#commandRoute(command);
      if (route.schema === undefined) {
        return this.#plain(options)
          ? this.#send(commandEnvelope(command), callOptions(route.call, options))
          : this.#sendTraced(commandEnvelope(command), callOptions(route.call, options), options);
      }
      return Promise.resolve(validateStandard(route.schema, command.data, "command.data"))
        .then(() =>
          this.#sendTraced(commandEnvelope(command), callOptions(route.call, options), options)
        );
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
    if (this.#gate.closed) return this.#gate.refuse(`sendAndWait "${command?.type}"`);
    try {
      const route = this.#commandRoute(command);
      if (route.schema === undefined) {
        return this.#sendAndWait(
          commandEnvelope(command),
          callOptions(route.wait, options),
          options,
        );
      }
      return Promise.resolve(validateStandard(route.schema, command.data, "command.data"))
        .then(() =>
          this.#sendAndWait(commandEnvelope(command), callOptions(route.wait, options), options)
        );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #sendAndWait(
    envelope: CommandEnvelope,
    call: GuardedCallOptions,
    options: BusCallOptions | undefined,
  ): Promise<unknown> {
    const run = (e: CommandEnvelope) =>
      this.#guard.run((scope) => this.#transport.sendAndWait(e, scope), call);
    const traces = this.#traces;
    const waited = traces !== undefined
      ? traces.command(envelope, options?.trace, run)
      : run(carryingTrace(envelope, options?.trace));
    return waited.catch((error) => {
      throw withUnansweredHint(error, this.#transport, envelope.type, call.operation);
    });
  }

  query(name: string, payload: unknown, options?: BusCallOptions): Promise<unknown> {
    if (this.#gate.closed) return this.#gate.refuse(`query "${name}"`);
    try {
      const route = this.#queryRoute(name);
      if (route.schema === undefined) {
        return this.#plain(options)
          ? this.#query({ name, payload }, callOptions(route.call, options))
          : this.#queryTraced({ name, payload }, callOptions(route.call, options), options);
      }
      return Promise.resolve(validateStandard(route.schema, payload, "query.payload"))
        .then(() =>
          this.#queryTraced({ name, payload }, callOptions(route.call, options), options)
        );
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
    if (this.#gate.closed) return this.#gate.refuse(`publish "${event?.type}"`);
    try {
      checkEventInput(event);
      const route = this.#eventRoute(event.type);
      if (route.schema === undefined) {
        return this.#plain(options)
          ? this.#publish(this.#eventEnvelope(event), callOptions(route.call, options))
          : this.#publishTraced(
            this.#eventEnvelope(event),
            callOptions(route.call, options),
            options,
          );
      }
      return Promise.resolve(validateStandard(route.schema, event.data, "event.data"))
        .then(() =>
          this.#publishTraced(this.#eventEnvelope(event), callOptions(route.call, options), options)
        );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #publish(envelope: EventEnvelope, call: GuardedCallOptions): Promise<PublishReceipt> {
    const direct = this.#direct;
    if (direct !== undefined) return this.#guard.runDirect(direct.publish, envelope, call);
    return this.#guard.run((scope) => this.#transport.publish(envelope, scope), call);
  }

  // A call with no telemetry and no trace to carry takes the paths above as
  // they were before telemetry: the hot paths test two fields and no more.
  #plain(options: BusCallOptions | undefined): boolean {
    return this.#traces === undefined && options?.trace === undefined;
  }

  // The others: inside a span when the bus has telemetry, else only carrying the given trace.
  #sendTraced(envelope: CommandEnvelope, call: GuardedCallOptions, options?: BusCallOptions) {
    const traces = this.#traces;
    if (traces === undefined) return this.#send(carryingTrace(envelope, options?.trace), call);
    return traces.command(envelope, options?.trace, (e) => this.#send(e, call));
  }

  #queryTraced(envelope: QueryEnvelope, call: GuardedCallOptions, options?: BusCallOptions) {
    const traces = this.#traces;
    if (traces === undefined) return this.#query(queryCarrying(envelope, options?.trace), call);
    return traces.query(envelope, options?.trace, (e) => this.#query(e, call));
  }

  #publishTraced(envelope: EventEnvelope, call: GuardedCallOptions, options?: BusCallOptions) {
    const traces = this.#traces;
    if (traces === undefined) return this.#publish(carryingTrace(envelope, options?.trace), call);
    return traces.event(envelope, options?.trace, (e) => this.#publish(e, call));
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
    this.#gate.ensureOpen(`handle command "${name}"`);
    serviceOf(name, "command");
    checkFunction(handler, "handler");
    const schema = schemaFor(this.#contracts.commands, name, "command");
    return this.#transport.handleCommand(
      name,
      this.#running.wrap(`command "${name}"`, withSchema(schema, "command.data", handler)),
      handlerOptions(options, this.#logger),
    );
  }

  handleQuery(name: string, handler: QueryHandler): Registration {
    this.#gate.ensureOpen(`handle query "${name}"`);
    serviceOf(name, "query");
    checkFunction(handler, "handler");
    const schema = schemaFor(this.#contracts.queries, name, "query");
    const checked: QueryHandler = schema === undefined
      ? handler
      : async (payload, context) =>
        handler(await validateStandard(schema, payload, "query.payload"), context);
    // Counted from the call on, its payload's check included: close() waits for it all.
    return this.#transport.handleQuery(name, this.#running.wrap(`query "${name}"`, checked));
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventHandler,
    given?: HandlerOptions,
  ): Registration {
    this.#gate.ensureOpen(`subscribe group "${group}"`);
    checkEventSelector(selector);
    checkFunction(handler, "handler");
    handler = this.#running.wrap(`event group "${group}"`, handler);
    const options = handlerOptions(given, this.#logger);
    const section = this.#contracts.events;
    if (!Array.isArray(selector) || section === undefined) {
      return this.#transport.subscribe(group, selector, handler, options);
    }
    const schemas = new Map(
      selector.map((name, i) => [name, schemaFor(section, name, `selector[${i}]`)!]),
    );
    return this.#transport.subscribe(group, selector, async (event, context) => {
      const schema = schemas.get(event.type)!;
      return await handler({
        ...event,
        data: await validateStandard(schema, event.data, "event.data"),
      }, context);
    }, options);
  }

  close(): Promise<void> {
    // The transport first: it refuses new calls and stops its handler loops (each after the
    // message in progress). Then the handler calls still running (queries, mostly), counted
    // here once for every transport, so none starts after the wait; then the guard's timers go.
    return this.#gate.close(async () => {
      try {
        await this.#transport.close();
      } finally {
        await this.#running.idle();
        this.#unsubscribe?.();
        this.#traces?.close();
        this.#guard.close();
      }
    }, {
      logger: this.#logger,
      fields: { bus: this.#name },
      waitingFor: () => this.#running.describe(),
    });
  }

  #commandRoute(command: CommandInput): CommandRoute {
    checkCommandInput(command);
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
