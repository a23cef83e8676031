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

import { backoffDelay, type CheckedRetryPolicy, checkRetryPolicy, type ParkedMessage, StoreUnavailableError, ValidationError } from "../core/mod.ts";
import {
  type CommandEndpoint,
  type CommandEnvelope,
  type DeliveryContext,
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
  type Transport,
} from "../core/messaging/mod.ts";

/** Options of {@link createInProcessTransport}. */
export interface CreateInProcessTransportOptions {
  /** Command ids remembered for deduplication (oldest forgotten first). Default 100,000. */
  readonly dedupCapacity?: number;
  /** Called with a command handler's error when no one waits for its result. */
  readonly onError?: (error: unknown, command: ReceivedMessage) => void;
}

/**
 * Creates an in-process transport.
 *
 * Delivery: a command runs its handler once per id (a repeated id resolves
 * with the first run's outcome, while the id is remembered); commands of one
 * name run one at a time, in send order; a command sent before its handler
 * is registered waits for it. Events: every group gets every matching event
 * in publish order; a failing handler is retried with backoff, then the event
 * is parked (`onParked`) and the group moves on. Data is passed by reference.
 *
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

interface CommandLane {
  handler: CommandEndpoint | undefined;
  tail: Promise<unknown>;
  waiting: (() => void)[];
}

interface StoredEvent {
  readonly message: ReceivedMessage;
  readonly category: string;
}

class Group {
  cursor = 0;
  running = false;
  stopped = false;
  idle: Promise<void> = READY;
  readonly policy: CheckedRetryPolicy;
  constructor(
    readonly name: string,
    readonly matches: (event: StoredEvent) => boolean,
    readonly handler: EventEndpoint,
    readonly options: HandlerOptions,
  ) {
    this.policy = checkRetryPolicy(options.retry);
  }
}

class InProcessTransport implements Transport {
  readonly #capacity: number;
  readonly #onError: CreateInProcessTransportOptions["onError"];
  readonly #outcomes = new Map<string, Promise<unknown>>();
  readonly #commands = new Map<string, CommandLane>();
  readonly #queries = new QueryRegistry();
  readonly #log: StoredEvent[] = [];
  readonly #eventIds = new Map<string, StoredEvent>();
  readonly #groups = new Map<string, Group>();
  #closed = false;

  constructor(options: CreateInProcessTransportOptions) {
    const capacity = options.dedupCapacity ?? 100_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ValidationError("options.dedupCapacity", capacity, "must be an integer of at least 1");
    }
    this.#capacity = capacity;
    this.#onError = options.onError;
  }

  send(command: CommandEnvelope): Promise<SendReceipt> {
    const known = this.#outcomes.has(command.id);
    if (!known) this.#dispatch(command).catch((error) => this.#onError?.(error, received(command)));
    return Promise.resolve({ id: command.id, deduplicated: known });
  }

  sendAndWait(command: CommandEnvelope): Promise<unknown> {
    return this.#outcomes.get(command.id) ?? this.#dispatch(command);
  }

  query(query: QueryEnvelope): Promise<unknown> {
    return this.#queries.dispatch(query);
  }

  publish(event: EventEnvelope): Promise<PublishReceipt> {
    const known = this.#eventIds.get(event.id);
    if (known !== undefined) {
      return Promise.resolve({ id: event.id, streamName: known.message.streamName!, deduplicated: true, globalPosition: known.message.globalPosition });
    }
    const globalPosition = BigInt(this.#log.length + 1);
    const dash = event.streamName.indexOf("-");
    const stored: StoredEvent = {
      message: { id: event.id, type: event.type, data: event.data, metadata: event.metadata, streamName: event.streamName, globalPosition },
      category: event.streamName.slice(0, dash),
    };
    this.#log.push(stored);
    this.#eventIds.set(event.id, stored);
    for (const group of this.#groups.values()) if (!group.running && !group.stopped) this.#drain(group);
    return Promise.resolve({ id: event.id, streamName: event.streamName, deduplicated: false, globalPosition });
  }

  handleCommand(name: string, handler: CommandEndpoint): Registration {
    serviceOf(name, "command");
    const lane = this.#lane(name);
    if (lane.handler !== undefined) throw new ValidationError("command", name, "a handler is already registered for it");
    lane.handler = handler;
    for (const wake of lane.waiting.splice(0)) wake();
    return {
      ready: READY,
      stop: () => {
        if (lane.handler === handler) lane.handler = undefined;
        return lane.tail.then(() => {}, () => {});
      },
    };
  }

  handleQuery(name: string, handler: QueryEndpoint): Registration {
    return this.#queries.register(name, handler);
  }

  subscribe(group: string, selector: EventSelector, handler: EventEndpoint, options: HandlerOptions = {}): Registration {
    if (typeof group !== "string" || group.length === 0) throw new ValidationError("group", group, "must be a non-empty string");
    if (this.#groups.has(group)) throw new ValidationError("group", group, "is already subscribed in this transport");
    let matches: (event: StoredEvent) => boolean;
    if (Array.isArray(selector)) {
      const names = new Set(selector);
      matches = (event) => names.has(event.message.type);
    } else {
      const category = (selector as { category: string }).category;
      matches = (event) => event.category === category;
    }
    const state = new Group(group, matches, handler, options);
    this.#groups.set(group, state);
    this.#drain(state);
    return {
      ready: state.idle,
      stop: () => {
        state.stopped = true;
        this.#groups.delete(group);
        return state.idle;
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const lane of this.#commands.values()) for (const wake of lane.waiting.splice(0)) wake();
    const groups = [...this.#groups.values()];
    for (const group of groups) group.stopped = true;
    this.#groups.clear();
    await Promise.all(groups.map((group) => group.idle));
    await Promise.all([...this.#commands.values()].map((lane) => lane.tail.then(() => {}, () => {})));
  }

  #lane(name: string): CommandLane {
    let lane = this.#commands.get(name);
    if (lane === undefined) this.#commands.set(name, lane = { handler: undefined, tail: READY, waiting: [] });
    return lane;
  }

  #dispatch(command: CommandEnvelope): Promise<unknown> {
    const lane = this.#lane(command.type);
    const run = async () => {
      while (lane.handler === undefined) {
        if (this.#closed) throw new StoreUnavailableError(`command "${command.type}"`, "the transport closed before a handler was registered");
        await new Promise<void>((resolve) => lane.waiting.push(resolve));
      }
      const context: DeliveryContext = { idempotencyKey: command.id, attempt: 1, group: `command:${command.type}`, tx: undefined };
      return await lane.handler(received(command), context);
    };
    const outcome = lane.tail.then(run, run);
    lane.tail = outcome.catch(() => {});
    this.#outcomes.set(command.id, outcome);
    if (this.#outcomes.size > this.#capacity) this.#outcomes.delete(this.#outcomes.keys().next().value!);
    return outcome;
  }

  #drain(group: Group): void {
    if (group.running || group.cursor >= this.#log.length) return;
    group.running = true;
    group.idle = this.#run(group);
  }

  async #run(group: Group): Promise<void> {
    const log = this.#log;
    try {
      while (!group.stopped && group.cursor < log.length) {
        const event = log[group.cursor];
        if (group.matches(event)) await this.#deliver(group, event);
        group.cursor++;
      }
    } finally {
      // In the same synchronous step as the last check, so a publish cannot slip between them.
      group.running = false;
    }
  }

  async #deliver(group: Group, event: StoredEvent): Promise<void> {
    const policy = group.policy;
    for (let attempt = 1;; attempt++) {
      try {
        await group.handler(event.message, { idempotencyKey: event.message.id, attempt, group: group.name, tx: undefined });
        return;
      } catch (error) {
        group.options.onError?.(error);
        if (attempt >= policy.maxAttempts) {
          group.options.onParked?.(parked(group.name, event.message, error, attempt));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(policy, attempt)));
      }
    }
  }
}

function received(command: CommandEnvelope): ReceivedMessage {
  return { id: command.id, type: command.type, data: command.data, metadata: command.metadata };
}

function parked(group: string, message: ReceivedMessage, error: unknown, attempts: number): ParkedMessage {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    group,
    partition: 0,
    message: {
      id: message.id,
      type: message.type,
      data: message.data as never,
      metadata: message.metadata as ParkedMessage["message"]["metadata"],
      streamName: message.streamName!,
      streamVersion: 0,
      globalPosition: message.globalPosition!,
    },
    error: { name: e.name, message: e.message, stack: e.stack },
    attempts,
    parkedAt: new Date().toISOString(),
  };
}
