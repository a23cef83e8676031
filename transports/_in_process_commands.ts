// The in-process transport's commands: one lane per command name (its
// handler, and the tail of the commands of that name, so they run one at a
// time in send order), and a bounded table of the outcomes by command id, so
// a repeated id gets the first run's outcome instead of a second run. A
// repeated id whose type or data differ (as canonical JSON) is refused with
// IdempotencyConflictError: answering it with the first command's outcome
// would be a lie.
//
// A handler registered with a `retry` policy is retried as a store-backed
// command is (backoff, or the policy's own rule), then its command is parked:
// logged, told to `onParked`, and the sender gets the last error. Without a
// policy a command runs once, as it always did in-process: a failing handler
// (a decider's refusal) answers its sender at once.

import {
  type CheckedRetryPolicy,
  checkRetryPolicy,
  ClosedError,
  IdempotencyConflictError,
  type Logger,
  logHandlerFailure,
  NotFoundError,
  retryThenPark,
  sameContent,
  tellHooks,
} from "../core/mod.ts";
import {
  asHandlerAnswer,
  type CommandEndpoint,
  type CommandEnvelope,
  type DeliveryContext,
  type HandlerOptions,
  isHandlerAnswer,
  parkedFromReceived,
  type ReceivedMessage,
  type Registration,
  type SendReceipt,
} from "../core/messaging/mod.ts";

const READY = Promise.resolve();

interface CommandLane {
  handler: CommandEndpoint | undefined;
  /** The registration's options, for failures: its logger, hooks and retry policy. */
  registered: Registered | undefined;
  tail: Promise<unknown>;
  waiting: (() => void)[];
}

/** What a registration brings besides its handler. */
interface Registered {
  readonly options: HandlerOptions;
  /** `undefined` when the registration gave no `retry`: one attempt. */
  readonly policy: CheckedRetryPolicy | undefined;
  /** Aborted when the registration stops or the transport closes: a retry's backoff ends then. */
  readonly stopping: AbortController;
}

/** A command id's first run: what it was, and how it ended (or will). */
interface Outcome {
  readonly type: string;
  readonly data: unknown;
  readonly result: Promise<unknown>;
}

/** The commands of one in-process transport; see the file summary. */
export class InProcessCommands {
  readonly #capacity: number;
  readonly #onError: ((error: unknown, command: ReceivedMessage) => void) | undefined;
  readonly #logger: Logger;
  readonly #outcomes = new Map<string, Outcome>();
  readonly #lanes = new Map<string, CommandLane>();
  #closed = false;

  constructor(
    capacity: number,
    onError: ((error: unknown, command: ReceivedMessage) => void) | undefined,
    logger: Logger,
  ) {
    this.#capacity = capacity;
    this.#onError = onError;
    this.#logger = logger;
  }

  /** Accepts a command in the caller's turn. @throws {IdempotencyConflictError} for a reused id with other content */
  accept(command: CommandEnvelope): SendReceipt {
    const known = this.#known(command) !== undefined;
    if (!known) {
      const run = this.#dispatch(command);
      run.result.catch((error) => this.#unanswered(error, command, run.logged()));
    }
    return { id: command.id, deduplicated: known };
  }

  /**
   * The outcome of the command's first run; rejects with IdempotencyConflictError
   * for a reused id with other content, and at once with NotFoundError when no
   * handler of its name is registered: every handler of this transport is in
   * this process, so none can answer (`send` still waits for one).
   */
  sendAndWait(command: CommandEnvelope): Promise<unknown> {
    try {
      const known = this.#known(command);
      if (known !== undefined) return known.result;
      if (!this.handles(command.type)) {
        throw new NotFoundError(
          "command",
          command.type,
          "no handler is registered for it in this process (register it before sendAndWait; send waits for one)",
        );
      }
      return this.#dispatch(command).result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Registers the handler of `name` (commands waiting for one run now); `undefined` when the name has one already. */
  register(
    name: string,
    handler: CommandEndpoint,
    options: HandlerOptions = {},
  ): Registration | undefined {
    const lane = this.#lane(name);
    if (lane.handler !== undefined) return undefined;
    const registered: Registered = {
      options,
      policy: options.retry === undefined ? undefined : checkRetryPolicy(options.retry),
      stopping: new AbortController(),
    };
    lane.handler = handler;
    lane.registered = registered;
    for (const wake of lane.waiting.splice(0)) wake();
    return {
      ready: READY,
      stop: () => {
        if (lane.handler === handler) lane.handler = undefined;
        registered.stopping.abort();
        return lane.tail.then(() => {}, () => {});
      },
    };
  }

  /** Whether a handler of `name` is registered. */
  handles(name: string): boolean {
    return this.#lanes.get(name)?.handler !== undefined;
  }

  /** The names with a handler. */
  names(): string[] {
    return [...this.#lanes].filter(([, lane]) => lane.handler !== undefined).map(([name]) => name);
  }

  /** Wakes commands waiting for a handler (they reject) and waits for those running. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const lane of this.#lanes.values()) {
      for (const wake of lane.waiting.splice(0)) wake();
      lane.registered?.stopping.abort();
    }
    await Promise.all([...this.#lanes.values()].map((lane) => lane.tail.then(() => {}, () => {})));
  }

  /** A handler failure no sender waits for: logged (unless its retries logged it), and told to `onError`. */
  #unanswered(error: unknown, command: CommandEnvelope, logged: boolean): void {
    const group = `command:${command.type}`;
    const logger = this.#lanes.get(command.type)?.registered?.options.logger ?? this.#logger;
    if (error instanceof ClosedError && !isHandlerAnswer(error)) {
      // No handler ever ran it: not a handler's failure, but a command lost with the transport.
      logger.warn("Command dropped at close: no handler was registered for it", {
        group,
        messageId: command.id,
        type: command.type,
      });
    } else if (!logged) logHandlerFailure(logger, { group }, command, 1, error);
    tellHooks([this.#onError], [error, received(command)], { logger, fields: { group } });
  }

  #known(command: CommandEnvelope): Outcome | undefined {
    const known = this.#outcomes.get(command.id);
    if (known === undefined) return undefined;
    if (known.type !== command.type || !sameContent(known.data, command.data)) {
      throw new IdempotencyConflictError(command.id, command.type);
    }
    return known;
  }

  #lane(name: string): CommandLane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      this.#lanes.set(
        name,
        lane = { handler: undefined, registered: undefined, tail: READY, waiting: [] },
      );
    }
    return lane;
  }

  /** Runs the command after those of its name; `logged`: whether its failure was logged already (by its retries). */
  #dispatch(command: CommandEnvelope): { result: Promise<unknown>; logged: () => boolean } {
    const lane = this.#lane(command.type);
    let retried = false;
    const run = async () => {
      while (lane.handler === undefined) {
        if (this.#closed) {
          throw new ClosedError(
            "transport",
            `run command "${command.type}" (no handler was registered before it closed)`,
          );
        }
        await new Promise<void>((resolve) => lane.waiting.push(resolve));
      }
      const registered = lane.registered!;
      // What the handler threw is its answer: the sender's bus does not retry it.
      try {
        if (registered.policy === undefined) {
          return await lane.handler(received(command), deliveryContext(command, 1));
        }
        retried = true;
        return await this.#withRetries(lane.handler, registered, registered.policy, command);
      } catch (error) {
        throw asHandlerAnswer(error);
      }
    };
    const result = lane.tail.then(run, run);
    lane.tail = result.catch(() => {});
    this.#outcomes.set(command.id, { type: command.type, data: command.data, result });
    if (this.#outcomes.size > this.#capacity) {
      this.#outcomes.delete(this.#outcomes.keys().next().value!);
    }
    return { result, logged: () => retried };
  }

  /**
   * Calls the handler until it succeeds or the policy gives up, each failure
   * logged and told to `onError`; then parks the command (logged, `onParked`)
   * and rejects with the last error. A stop or close during a backoff ends it
   * with the last error, without another attempt.
   */
  async #withRetries(
    handler: CommandEndpoint,
    registered: Registered,
    policy: CheckedRetryPolicy,
    command: CommandEnvelope,
  ): Promise<unknown> {
    const group = `command:${command.type}`;
    const { options, stopping } = registered;
    const logger = options.logger ?? this.#logger;
    const message = received(command);
    const delivery = await retryThenPark({
      group,
      message,
      retry: policy,
      logger,
      signal: stopping.signal,
      attempt: async (attempt) => await handler(message, deliveryContext(command, attempt)),
      onError: (error) => tellHooks([options.onError], [error], { logger, fields: { group } }),
      park: (error, attempts) =>
        tellHooks([options.onParked], [parkedFromReceived(group, message, error, attempts)], {
          logger,
          fields: { group },
          hook: "onParked",
        }),
    });
    if (delivery.outcome === "handled") return delivery.value;
    throw delivery.error;
  }
}

function deliveryContext(command: CommandEnvelope, attempt: number): DeliveryContext {
  return { idempotencyKey: command.id, attempt, group: `command:${command.type}`, tx: undefined };
}

// A command as its handler receives it.
function received(command: CommandEnvelope): ReceivedMessage {
  return { id: command.id, type: command.type, data: command.data, metadata: command.metadata };
}
