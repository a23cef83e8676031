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
  type CheckedRetryPolicy,
  checkRetryPolicy,
  deliveryRetries,
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
  parkedFromReceived,
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
import { InProcessCommands } from "./_in_process_commands.ts";

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
 * with the first run's outcome, while the id is remembered; a repeated id
 * with another type or other data, compared as canonical JSON, is refused
 * with `IdempotencyConflictError`); commands of one
 * name run one at a time, in send order; a command sent before its handler
 * is registered waits for it. Events: every group gets every matching event
 * in publish order, starting in a microtask after `publish` (never inside
 * it); a failing handler is retried with backoff, then the event is parked
 * (`onParked`) and the group moves on. Data is passed by reference. The
 * transport also offers {@link DirectCalls} (send, query, publish answered in
 * the caller's turn), which the bus uses to skip a promise per call.
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

/** Events a group handles in one go before it lets other work in (a catch-up over a long log, say). */
const BATCH = 1024;

class Group {
  cursor = 0;
  /** An async run (a handler's promise, a retry, a long catch-up) is under way: wake-ups leave the group to it. */
  busy = false;
  stopped = false;
  /** Settles when the group has no work under way. */
  idle: Promise<void> = READY;
  readonly policy: CheckedRetryPolicy;
  constructor(
    readonly name: string,
    readonly matches: (message: ReceivedMessage) => boolean,
    readonly handler: EventEndpoint,
    readonly options: HandlerOptions,
  ) {
    this.policy = checkRetryPolicy(options.retry);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

class InProcessTransport implements Transport {
  readonly #commands: InProcessCommands;
  readonly #queries = new QueryRegistry();
  readonly #log: ReceivedMessage[] = [];
  readonly #eventIds = new Map<string, ReceivedMessage>();
  readonly #groups = new Map<string, Group>();
  // Replaced, never changed in place, so a wake-up can iterate it while a handler subscribes or stops.
  #groupList: readonly Group[] = [];
  #wakeScheduled = false;

  /** The answers this transport gives in the caller's turn; the bus prefers them to the promise-returning calls. */
  readonly [directCalls]: DirectCalls = {
    send: (command) => this.#commands.accept(command),
    query: (query) => this.#queries.answer(query),
    publish: (event) => this.#append(event),
  };

  constructor(options: CreateInProcessTransportOptions) {
    const capacity = options.dedupCapacity ?? 100_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ValidationError(
        "options.dedupCapacity",
        capacity,
        "must be an integer of at least 1",
      );
    }
    this.#commands = new InProcessCommands(capacity, options.onError);
  }

  send(command: CommandEnvelope): Promise<SendReceipt> {
    try {
      return Promise.resolve(this.#commands.accept(command));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  sendAndWait(command: CommandEnvelope): Promise<unknown> {
    return this.#commands.sendAndWait(command);
  }

  query(query: QueryEnvelope): Promise<unknown> {
    return this.#queries.dispatch(query);
  }

  publish(event: EventEnvelope): Promise<PublishReceipt> {
    return Promise.resolve(this.#append(event));
  }

  handleCommand(name: string, handler: CommandEndpoint): Registration {
    serviceOf(name, "command");
    const registration = this.#commands.register(name, handler);
    if (registration === undefined) {
      throw new ValidationError("command", name, "a handler is already registered for it");
    }
    return registration;
  }

  handleQuery(name: string, handler: QueryEndpoint): Registration {
    return this.#queries.register(name, handler);
  }

  handles(kind: "command" | "query", name: string): boolean {
    return kind === "command" ? this.#commands.handles(name) : this.#queries.has(name);
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    if (typeof group !== "string" || group.length === 0) {
      throw new ValidationError("group", group, "must be a non-empty string");
    }
    if (this.#groups.has(group)) {
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
    const state = new Group(group, matches, handler, options);
    this.#groups.set(group, state);
    this.#groupList = [...this.#groupList, state];
    this.#wake();
    return {
      // Queued after the wake-up above (or one already pending): by then the group has caught up, or its run is `idle`.
      ready: READY.then(() => state.idle),
      stop: () => {
        state.stopped = true;
        if (this.#groups.get(group) === state) this.#groups.delete(group);
        this.#groupList = this.#groupList.filter((g) => g !== state);
        return state.idle;
      },
    };
  }

  async close(): Promise<void> {
    const commands = this.#commands.close();
    const groups = [...this.#groups.values()];
    for (const group of groups) group.stopped = true;
    this.#groups.clear();
    this.#groupList = [];
    await Promise.all(groups.map((group) => group.idle));
    await commands;
  }

  #append(event: EventEnvelope): PublishReceipt {
    const known = this.#eventIds.get(event.id);
    if (known !== undefined) {
      return {
        id: event.id,
        streamName: known.streamName!,
        deduplicated: true,
        globalPosition: known.globalPosition,
      };
    }
    const globalPosition = BigInt(this.#log.length + 1);
    const message: ReceivedMessage = {
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      streamName: event.streamName,
      globalPosition,
    };
    this.#log.push(message);
    this.#eventIds.set(event.id, message);
    this.#wake();
    return { id: event.id, streamName: event.streamName, deduplicated: false, globalPosition };
  }

  // Events reach groups in wake-ups: however many events are published in
  // one turn, one microtask later each idle group handles all it has not
  // seen. Handlers that return no promise are called one after another in
  // that microtask; the first promise (or failure) hands the rest of the
  // group's log to an async run, so a slow group never holds up the others.

  #wake(): void {
    if (this.#wakeScheduled || this.#groupList.length === 0) return;
    this.#wakeScheduled = true;
    // Not queueMicrotask: Node wraps each one in an AsyncResource, several times the cost of a reaction.
    void READY.then(this.#wakeAll);
  }

  readonly #wakeAll = (): void => {
    this.#wakeScheduled = false;
    for (const group of this.#groupList) if (!group.busy && !group.stopped) this.#drain(group);
  };

  #drain(group: Group): void {
    const log = this.#log;
    for (let budget = BATCH; !group.stopped && group.cursor < log.length; budget--) {
      if (budget === 0) {
        group.idle = this.#run(group, undefined);
        return;
      }
      const message = log[group.cursor];
      if (group.matches(message)) {
        const pending = this.#deliver(group, message);
        if (pending !== undefined) {
          group.idle = this.#run(group, pending);
          return;
        }
      }
      group.cursor++;
    }
  }

  /** The group's async run: finishes the event in `pending` (if any), then the rest of the log, yielding now and then. */
  async #run(group: Group, pending: Promise<unknown> | undefined): Promise<void> {
    group.busy = true;
    const log = this.#log;
    try {
      if (pending !== undefined) {
        await pending;
        group.cursor++;
      }
      for (let handled = 1; !group.stopped && group.cursor < log.length; handled++) {
        const message = log[group.cursor];
        if (group.matches(message)) {
          const more = this.#deliver(group, message);
          if (more !== undefined) await more;
        }
        group.cursor++;
        if (handled % BATCH === 0) await undefined;
      }
    } finally {
      // In the same synchronous step as the last check, so a publish cannot slip between them.
      group.busy = false;
    }
  }

  /** Calls the handler; `undefined` when it is done in this turn, else a promise of its end (retries and parking included). */
  #deliver(group: Group, message: ReceivedMessage): Promise<unknown> | undefined {
    let result: unknown;
    try {
      result = group.handler(message, {
        idempotencyKey: message.id,
        attempt: 1,
        group: group.name,
        tx: undefined,
      });
    } catch (error) {
      return this.#retry(group, message, error);
    }
    if (!isThenable(result)) return undefined;
    return Promise.resolve(result).then(
      undefined,
      (error: unknown) => this.#retry(group, message, error),
    );
  }

  /** After a failed first attempt: retries with backoff (or the policy's own rule), then parks the event. */
  async #retry(group: Group, message: ReceivedMessage, firstError: unknown): Promise<void> {
    // Made per delivery: a policy's own rule (an Effect Schedule) may keep state for this event.
    // A broken retry rule must not stall the group: it is reported and the event parked.
    const nextDelay = deliveryRetries(
      group.policy,
      (ruleError) => group.options.onError?.(ruleError),
    );
    let error = firstError;
    for (let attempt = 1;; attempt++) {
      group.options.onError?.(error);
      const delay = await nextDelay(attempt, error);
      if (delay === undefined) {
        group.options.onParked?.(parkedFromReceived(group.name, message, error, attempt));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await group.handler(message, {
          idempotencyKey: message.id,
          attempt: attempt + 1,
          group: group.name,
          tx: undefined,
        });
        return;
      } catch (next) {
        error = next;
      }
    }
  }
}
