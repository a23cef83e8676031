/**
 * @module
 * The in-process transport: commands, queries and events between handlers
 * of one process, with no store. Commands are deduplicated by id in a
 * bounded table; events go to an in-memory log and every subscribed group
 * reads it from its own cursor, in publish order, with retries and parking.
 * For tests, examples and single-process apps; nothing survives the process.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

import {
  checkCount,
  checkLogger,
  checkOptionalFunction,
  checkOptions,
  ClosedError,
  CloseGate,
  consoleLogger,
  inheritedTelemetry,
  type Logger,
  settledOrAborted,
  type Telemetry,
  ValidationError,
} from "../core/mod.ts";
import {
  type CommandEndpoint,
  type CommandEnvelope,
  type DirectCalls,
  directCalls,
  type EventEndpoint,
  type EventEnvelope,
  type EventSelector,
  type HandlerOptions,
  type PublishReceipt,
  type QueryEndpoint,
  type QueryEnvelope,
  QueryRegistry,
  type ReceivedMessage,
  type Registration,
  type SendReceipt,
  serviceOf,
  tracedHandler,
  type Transport,
  type TransportCallOptions,
} from "../core/messaging/mod.ts";
import { InProcessCommands } from "./_in_process_commands.ts";
import { EventGroups, Group } from "./_in_process_events.ts";

/** Options of {@link createInProcessTransport}. */
export interface CreateInProcessTransportOptions {
  /** Command ids remembered for deduplication (oldest forgotten first). Default 100,000. */
  readonly dedupCapacity?: number;
  /** Called with a command handler's error when no one waits for its result (it is logged as well). */
  readonly onError?: (error: unknown, command: ReceivedMessage) => void;
  /**
   * Where handler calls report spans and metrics (`openTelemetry()` from
   * `ordo/opentelemetry`); a bus over the transport inherits it. Default: none.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where handler failures and parked events are logged, one line each
   * (`silentLogger` to silence, `createConsoleLogger({ write })` to redirect).
   * A bus over this transport inherits it. Default: the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = ["dedupCapacity", "onError", "logger", "telemetry"];

/**
 * Creates an in-process transport.
 *
 * Delivery: a command runs its handler once per id (a repeated id resolves
 * with the first run's outcome, while the id is remembered; a repeated id
 * with another type or other data, compared as canonical JSON, is refused
 * with `IdempotencyConflictError`); a failing handler is called once, unless
 * its registration gives `retry`: then it is retried with backoff and the
 * command parked (`onParked`), as store-backed, before the sender gets the
 * last error. Commands of one
 * name run one at a time, in send order; a command `send` before its handler
 * is registered waits for it, while `sendAndWait` with no handler registered
 * rejects at once with `NotFoundError` (as a query does). Events: every group gets every matching event
 * in publish order, starting in a microtask after `publish` (never inside
 * it); a failing handler is retried with backoff, then the event is parked
 * (`onParked`) and the group moves on. Data is passed by reference. The
 * transport also offers {@link DirectCalls} (send, query, publish answered in
 * the caller's turn), which the bus uses to skip a promise per call.
 *
 * `close()` stops every group (after the handler in progress), waits for
 * the commands accepted, and rejects commands still waiting for a handler;
 * it is idempotent, and every call after it is refused with `ClosedError`.
 * Query handlers still running are waited for by the bus's `close()`, which
 * counts every handler's calls, on every transport.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { createBus } from "../core/messaging/mod.ts";
 * import { createInProcessTransport } from "./in_process.ts";
 * const bus = createBus({ transport: createInProcessTransport() });
 * bus.handleCommand("users/lock", (command) => ({ locked: command.data }));
 * console.log(await bus.sendAndWait({ type: "users/lock", data: "u-1" })); // { locked: "u-1" }
 * await bus.close();
 * ```
 */
export function createInProcessTransport(options: CreateInProcessTransportOptions = {}): Transport {
  return new InProcessTransport(options);
}

const READY = Promise.resolve();

class InProcessTransport implements Transport {
  readonly telemetry: Telemetry | undefined;
  readonly logger: Logger;
  readonly #commands: InProcessCommands;
  readonly #queries: QueryRegistry;
  readonly #events = new EventGroups();
  readonly #gate = new CloseGate("transport");

  /** The answers this transport gives in the caller's turn; the bus prefers them to the promise-returning calls. */
  readonly [directCalls]: DirectCalls = {
    send: (command) => {
      if (this.#gate.closed) throw new ClosedError("transport", `send "${command.type}"`);
      return this.#commands.accept(command);
    },
    query: (query) => {
      if (this.#gate.closed) throw new ClosedError("transport", `query "${query.name}"`);
      return this.#queries.answer(query);
    },
    publish: (event) => {
      if (this.#gate.closed) throw new ClosedError("transport", `publish "${event.type}"`);
      return this.#events.append(event);
    },
  };

  constructor(options: CreateInProcessTransportOptions) {
    checkOptions(options, OPTION_KEYS);
    const capacity = checkCount(options.dedupCapacity, "options.dedupCapacity", 100_000);
    checkOptionalFunction(options.onError, "options.onError");
    this.logger = checkLogger(options.logger, "options.logger", consoleLogger);
    this.#commands = new InProcessCommands(capacity, options.onError, this.logger);
    this.telemetry = inheritedTelemetry(options.telemetry);
    this.#queries = new QueryRegistry(this.telemetry);
  }

  send(command: CommandEnvelope): Promise<SendReceipt> {
    try {
      return Promise.resolve(this[directCalls].send(command));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown> {
    if (this.#gate.closed) return this.#gate.refuse(`sendAndWait "${command.type}"`);
    const answer = this.#commands.sendAndWait(command);
    // A handler here takes no signal: the caller stops waiting when its signal
    // aborts (its deadline, its own abort), and the handler runs to its end.
    const signal = options?.signal;
    return signal === undefined ? answer : settledOrAborted(answer, signal);
  }

  query(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown> {
    if (this.#gate.closed) return this.#gate.refuse(`query "${query.name}"`);
    return this.#queries.dispatch(query, options);
  }

  publish(event: EventEnvelope): Promise<PublishReceipt> {
    try {
      return Promise.resolve(this[directCalls].publish(event));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  handleCommand(name: string, given: CommandEndpoint, options?: HandlerOptions): Registration {
    this.#gate.ensureOpen(`handle command "${name}"`);
    serviceOf(name, "command");
    const traced = tracedHandler(this.telemetry, `command:${name}`, given, options ?? {}, true);
    const registration = this.#commands.register(name, traced.handler, traced.options);
    if (registration === undefined) {
      throw new ValidationError("command", name, "a handler is already registered for it");
    }
    return registration;
  }

  handleQuery(name: string, handler: QueryEndpoint): Registration {
    this.#gate.ensureOpen(`handle query "${name}"`);
    return this.#queries.register(name, handler);
  }

  handles(kind: "command" | "query", name: string): boolean {
    return kind === "command" ? this.#commands.handles(name) : this.#queries.has(name);
  }

  handledNames(kind: "command" | "query"): readonly string[] {
    return kind === "command" ? this.#commands.names() : this.#queries.names();
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    this.#gate.ensureOpen(`subscribe group "${group}"`);
    if (typeof group !== "string" || group.length === 0) {
      throw new ValidationError("group", group, "must be a non-empty string");
    }
    if (this.#events.has(group)) {
      throw new ValidationError("group", group, "is already subscribed in this transport");
    }
    let matches: (message: ReceivedMessage) => boolean;
    if (Array.isArray(selector)) {
      const names = new Set(selector);
      matches = (message) => names.has(message.type);
    } else {
      // A category holds no dash, so a stream is in it exactly when its name starts with "<category>-".
      const prefix = `${(selector as { category: string }).category}-`;
      matches = (message) => message.streamName!.startsWith(prefix);
    }
    const traced = tracedHandler(this.telemetry, group, handler, options, false);
    const state = new Group(group, matches, traced.handler, traced.options, this.logger);
    this.#events.add(state);
    return {
      // Queued after the wake-up above (or one already pending): by then the group has caught up, or its run is `idle`.
      ready: READY.then(() => state.idle),
      stop: () => this.#events.remove(state),
    };
  }

  close(): Promise<void> {
    return this.#gate.close(async () => {
      // Query handlers still running are the bus's to wait for (it counts every handler's calls).
      const commands = this.#commands.close();
      await this.#events.close();
      await commands;
    });
  }
}
