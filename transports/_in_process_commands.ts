// The in-process transport's commands: one lane per command name (its
// handler, and the tail of the commands of that name, so they run one at a
// time in send order), and a bounded table of the outcomes by command id, so
// a repeated id gets the first run's outcome instead of a second run. A
// repeated id whose type or data differ (as canonical JSON) is refused with
// IdempotencyConflictError: answering it with the first command's outcome
// would be a lie.

import {
  ClosedError,
  IdempotencyConflictError,
  type Logger,
  logHandlerFailure,
  sameContent,
} from "../core/mod.ts";
import type {
  CommandEndpoint,
  CommandEnvelope,
  DeliveryContext,
  ReceivedMessage,
  Registration,
  SendReceipt,
} from "../core/messaging/mod.ts";

const READY = Promise.resolve();

interface CommandLane {
  handler: CommandEndpoint | undefined;
  /** Where the handler's failures that no sender waits for are logged (its registration's logger). */
  logger: Logger | undefined;
  tail: Promise<unknown>;
  waiting: (() => void)[];
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
    if (!known) this.#dispatch(command).catch((error) => this.#unanswered(error, command));
    return { id: command.id, deduplicated: known };
  }

  /** The outcome of the command's first run; rejects with IdempotencyConflictError for a reused id with other content. */
  sendAndWait(command: CommandEnvelope): Promise<unknown> {
    try {
      return this.#known(command)?.result ?? this.#dispatch(command);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Registers the handler of `name` (commands waiting for one run now); `undefined` when the name has one already. */
  register(name: string, handler: CommandEndpoint, logger?: Logger): Registration | undefined {
    const lane = this.#lane(name);
    if (lane.handler !== undefined) return undefined;
    lane.handler = handler;
    lane.logger = logger;
    for (const wake of lane.waiting.splice(0)) wake();
    return {
      ready: READY,
      stop: () => {
        if (lane.handler === handler) lane.handler = undefined;
        return lane.tail.then(() => {}, () => {});
      },
    };
  }

  /** Whether a handler of `name` is registered. */
  handles(name: string): boolean {
    return this.#lanes.get(name)?.handler !== undefined;
  }

  /** Wakes commands waiting for a handler (they reject) and waits for those running. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const lane of this.#lanes.values()) for (const wake of lane.waiting.splice(0)) wake();
    await Promise.all([...this.#lanes.values()].map((lane) => lane.tail.then(() => {}, () => {})));
  }

  /** A handler failure no sender waits for: logged, and told to `onError`. */
  #unanswered(error: unknown, command: CommandEnvelope): void {
    const group = `command:${command.type}`;
    const logger = this.#lanes.get(command.type)?.logger ?? this.#logger;
    logHandlerFailure(logger, { group }, command, 1, error);
    try {
      this.#onError?.(error, received(command));
    } catch (thrown) {
      logger.error("onError hook threw", { group, error: thrown });
    }
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
        lane = { handler: undefined, logger: undefined, tail: READY, waiting: [] },
      );
    }
    return lane;
  }

  #dispatch(command: CommandEnvelope): Promise<unknown> {
    const lane = this.#lane(command.type);
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
      const context: DeliveryContext = {
        idempotencyKey: command.id,
        attempt: 1,
        group: `command:${command.type}`,
        tx: undefined,
      };
      return await lane.handler(received(command), context);
    };
    const result = lane.tail.then(run, run);
    lane.tail = result.catch(() => {});
    this.#outcomes.set(command.id, { type: command.type, data: command.data, result });
    if (this.#outcomes.size > this.#capacity) {
      this.#outcomes.delete(this.#outcomes.keys().next().value!);
    }
    return result;
  }
}

// A command as its handler receives it.
function received(command: CommandEnvelope): ReceivedMessage {
  return { id: command.id, type: command.type, data: command.data, metadata: command.metadata };
}
