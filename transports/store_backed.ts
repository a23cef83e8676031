/**
 * @module
 * The store-backed transport: commands and events travel through an
 * `EventStore` that services share (PostgreSQL, PGlite, memory), and handlers
 * are woken by the store's `waitForAppend` (LISTEN/NOTIFY on PostgreSQL, with
 * polling as the fallback). `sendAndWait` replies travel through the store
 * too, in a reply stream named after the command id. Queries are not stored:
 * this transport answers them from handlers registered in the same process
 * (between processes, queries go over HTTP).
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes
 * (whatever runs the store's driver).
 */

import {
  checkCount,
  checkLogger,
  checkOptionalFunction,
  checkOptions,
  checkRetryPolicy,
  ClosedError,
  CloseGate,
  consoleLogger,
  type ConsumerStorage,
  createConsumer,
  type EventStore,
  inheritedTelemetry,
  type Logger,
  MAX_READ_LIMIT,
  type MessageShape,
  type RetryPolicy,
  type Telemetry,
  tellHooks,
  traceContextOf,
  untracedStore,
  untypedStore,
  ValidationError,
} from "../core/mod.ts";
import {
  commandCategory,
  type CommandEndpoint,
  type CommandEnvelope,
  commandStream,
  type EventEndpoint,
  type EventEnvelope,
  type EventSelector,
  type HandlerOptions,
  type PublishReceipt,
  type QueryEndpoint,
  type QueryEnvelope,
  QueryRegistry,
  receivedFromStore,
  type Registration,
  replyStream,
  RunningRegistrations,
  type SendReceipt,
  type Transport,
  type TransportCallOptions,
} from "../core/messaging/mod.ts";
import { refuseConflict, toInput, unpackReply } from "./_store_backed_replies.ts";

import { CommandReplies } from "./_store_backed_command_replies.ts";

export { REPLY_TYPE } from "./_store_backed_replies.ts";

/** Options of {@link createStoreBackedTransport}. */
export interface CreateStoreBackedTransportOptions<Tx> {
  /** Where command and event handlers keep checkpoints and parked messages. */
  readonly storage: ConsumerStorage<Tx>;
  /** Default retry policy of handlers (see `RetryPolicy`); a handler's own options override it. */
  readonly retry?: RetryPolicy;
  /** Messages per read. Default 100. */
  readonly batchSize?: number;
  /** Failures of the transport's own reads, commits and reply writes (they are retried, and logged). */
  readonly onError?: (error: unknown) => void;
  /**
   * Where handler calls (its consumers) and queries report spans and
   * metrics. Default: the store's (see `EventStore.telemetry`).
   */
  readonly telemetry?: Telemetry;
  /**
   * Where the handlers' consumers log (a handler failure, a parked message, a
   * storage failure being retried); a bus over this transport inherits it.
   * Default: the store's logger, else the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = [
  "storage",
  "retry",
  "batchSize",
  "onError",
  "logger",
  "telemetry",
];

/**
 * Creates a store-backed transport over `store`.
 *
 * Delivery: `send` resolves once the command is appended to
 * `<service>:command-<key>` (a retry with the same id is recognised by the
 * store and not stored again; one whose type or data differ from the stored
 * command's, compared as canonical JSON, is refused with
 * `IdempotencyConflictError`). Each command name is handled by one consumer
 * (`createConsumer` with `commit: "after-handler"`) per process, at least
 * once, in global order; its handler runs outside any storage transaction (so
 * it may append to the store, even on PGlite) and gets the command id as
 * idempotency key. A command that keeps failing, or that its contract refuses
 * (`ValidationError`, parked at once), is parked and, if a sender waits,
 * answered with the error before the checkpoint moves past it. Events: each
 * group is a consumer with its own checkpoint; its handler runs inside the
 * checkpoint's transaction (`context.tx`), and an event it keeps failing on,
 * or refuses with a `ValidationError` (parked at once), is parked.
 *
 * `handles("command", name)` is true while this transport has a handler of
 * `name` registered (so the HTTP handler over it answers 404 for any other
 * name unless its `allow.commands` lists the name: a command handled in
 * another process that shares the store). `close()` stops every handler
 * after the message in progress, waits for the calls in flight, and ends
 * `sendAndWait` calls still waiting for a reply with `ClosedError`; it is
 * idempotent, and every call after it is refused with `ClosedError`. Query
 * handlers still running are waited for by the bus's `close()`, which counts
 * every handler's calls. The store stays open: its owner closes it.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { createMemoryConsumerStorage, createMemoryStore } from "../stores/memory/mod.ts";
 * import { createBus } from "../core/messaging/mod.ts";
 * import { createStoreBackedTransport } from "./store_backed.ts";
 * const transport = createStoreBackedTransport(createMemoryStore(), { storage: createMemoryConsumerStorage() });
 * const bus = createBus({ transport });
 * bus.handleCommand("users/lock", (command) => ({ locked: command.data }));
 * console.log(await bus.sendAndWait({ type: "users/lock", data: "u-1" })); // { locked: "u-1" }
 * await bus.close();
 * ```
 */
export function createStoreBackedTransport<Tx>(
  store: EventStore<MessageShape>,
  options: CreateStoreBackedTransportOptions<Tx>,
): Transport {
  return new StoreBackedTransport(
    untypedStore(store),
    options as CreateStoreBackedTransportOptions<unknown>,
  );
}

class StoreBackedTransport implements Transport {
  readonly telemetry: Telemetry | undefined;
  /** The telemetry given to the transport itself, which its consumers take over the store's. */
  readonly #ownTelemetry: Telemetry | undefined;
  readonly logger: Logger;
  readonly #store: EventStore;
  /** The store untraced, for reading reply streams (the transport's bookkeeping). */
  readonly #replies: EventStore;
  readonly #storage: ConsumerStorage<unknown>;
  readonly #retry: RetryPolicy | undefined;
  readonly #batchSize: number;
  readonly #onError: (error: unknown) => void;
  readonly #queries: QueryRegistry;
  readonly #running = new RunningRegistrations();
  /** Command names with a handler registered here, and how many registrations each has. */
  readonly #commands = new Map<string, number>();
  readonly #gate = new CloseGate("transport");
  /** Aborted by close(): ends the waits of `sendAndWait` calls in flight. */
  readonly #closing = new AbortController();

  constructor(store: EventStore, options: CreateStoreBackedTransportOptions<unknown>) {
    if (typeof store?.append !== "function") {
      throw new ValidationError("store", store, "must be an EventStore");
    }
    checkOptions(options, OPTION_KEYS);
    if (typeof options?.storage?.checkpoints !== "object") {
      throw new ValidationError("options.storage", options?.storage, "must be a ConsumerStorage");
    }
    this.#store = store;
    this.#replies = untracedStore(store);
    this.#storage = options.storage;
    this.#retry = options.retry;
    checkRetryPolicy(options.retry);
    this.#batchSize = checkCount(options.batchSize, "options.batchSize", 100, MAX_READ_LIMIT);
    checkOptionalFunction(options.onError, "options.onError");
    this.#onError = options.onError ?? (() => {});
    this.#ownTelemetry = options.telemetry;
    this.telemetry = inheritedTelemetry(options.telemetry, store);
    this.#queries = new QueryRegistry(this.telemetry);
    this.logger = checkLogger(options.logger, "options.logger", store.logger ?? consoleLogger);
  }

  send(command: CommandEnvelope): Promise<SendReceipt> {
    return this.#gate.run(`send "${command.type}"`, async () => {
      const result = await this.#store.append(commandStream(command.type, command.key), [
        toInput(command, command.metadata),
      ], { trace: traceContextOf(command.metadata) });
      await refuseConflict(this.#store, command, result);
      return {
        id: command.id,
        deduplicated: result.deduplicated,
        streamName: result.streamName,
        globalPosition: result.globalPosition,
      };
    });
  }

  sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const operation = `sendAndWait "${command.type}"`;
    return this.#gate.run(operation, async () => {
      const replyTo = replyStream(command.type, command.id);
      // Only the reply is waited for, so the command's global position is not.
      const sent = await this.#store.append(commandStream(command.type, command.key), [
        toInput(command, { ...command.metadata, replyTo }),
      ], {
        awaitGlobalPosition: false,
        trace: traceContextOf(command.metadata),
      });
      await refuseConflict(this.#store, command, sent);
      const closing = this.#closing.signal;
      const signal = options?.signal === undefined
        ? closing
        : AbortSignal.any([options.signal, closing]);
      for (;;) {
        // The head is read before the reply stream: a reply stored after that read is past it, so the wait sees it.
        const head = await this.#store.headPosition();
        // Not traced, even in an active context: every append to the store
        // wakes this loop, so the spans would count unrelated traffic.
        const [reply] = await this.#replies.readStream(replyTo, { limit: 1 });
        if (reply !== undefined) return unpackReply(reply);
        if (closing.aborted) throw new ClosedError("transport", operation);
        signal.throwIfAborted();
        await this.#store.waitForAppend(head, { signal }).catch((error) => {
          throw closing.aborted ? new ClosedError("transport", operation) : error;
        });
      }
    });
  }

  query(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown> {
    if (this.#gate.closed) return this.#gate.refuse(`query "${query.name}"`);
    return this.#queries.dispatch(query, options);
  }

  publish(event: EventEnvelope): Promise<PublishReceipt> {
    return this.#gate.run(`publish "${event.type}"`, async () => {
      const result = await this.#store.append(event.streamName, [toInput(event, event.metadata)], {
        trace: traceContextOf(event.metadata),
      });
      return {
        id: event.id,
        streamName: result.streamName,
        deduplicated: result.deduplicated,
        globalPosition: result.globalPosition,
      };
    });
  }

  handleCommand(
    name: string,
    handler: CommandEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    this.#gate.ensureOpen(`handle command "${name}"`);
    const store = this.#store;
    const group = `ordo:command:${name}`;
    const logger = options.logger ?? this.logger;
    const onError = this.#bothTold(options.onError, group, logger);
    const replies = new CommandReplies(store, name, { group, logger, onError });
    const consumer = createConsumer(store, {
      group,
      source: { category: commandCategory(name), types: [name] },
      storage: this.#storage,
      batchSize: this.#batchSize,
      // The handler appends events and its reply to the store: no storage
      // transaction may stay open meanwhile (on PGlite it would wait forever).
      commit: "after-handler",
      retry: options.retry ?? this.#retry,
      logger,
      // A command its handler's contract refuses is refused on every attempt.
      parkAtOnce: (error) => error instanceof ValidationError,
      telemetry: this.#ownTelemetry,
      // The sender's work: its span is the handler's parent.
      continueTrace: options.continueTrace ?? true,
      onError,
      // Awaited before the checkpoint moves past the command, so a crash
      // cannot lose the failure reply a waiting sender needs.
      onParked: async (entry) => {
        options.onParked?.(entry);
        await replies.parked(entry);
      },
      handler: (message, { attempt, trace }) =>
        replies.answer(message, trace, () =>
          handler(receivedFromStore(message), {
            idempotencyKey: message.id,
            attempt,
            group,
            tx: undefined,
            trace,
          })),
    });
    this.#commands.set(name, (this.#commands.get(name) ?? 0) + 1);
    let handled = true;
    const unhandle = () => {
      if (!handled) return;
      handled = false;
      const left = (this.#commands.get(name) ?? 1) - 1;
      if (left === 0) this.#commands.delete(name);
      else this.#commands.set(name, left);
    };
    // Ready once caught up; a loop stopped before that is ready too (there is nothing to wait for).
    const ready = consumer.caughtUp.catch(() => {});
    return this.#running.track({
      ready,
      stop: () => {
        unhandle();
        return consumer.stop();
      },
    });
  }

  handleQuery(name: string, handler: QueryEndpoint): Registration {
    this.#gate.ensureOpen(`handle query "${name}"`);
    return this.#queries.register(name, handler);
  }

  handles(kind: "command" | "query", name: string): boolean {
    return kind === "command" ? this.#commands.has(name) : this.#queries.has(name);
  }

  handledNames(kind: "command" | "query"): readonly string[] {
    return kind === "command" ? [...this.#commands.keys()] : this.#queries.names();
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    this.#gate.ensureOpen(`subscribe group "${group}"`);
    const source = Array.isArray(selector)
      ? { all: true as const, types: selector }
      : { category: (selector as { category: string }).category };
    const consumer = createConsumer(this.#store, {
      group,
      source,
      storage: this.#storage,
      batchSize: this.#batchSize,
      retry: options.retry ?? this.#retry,
      logger: options.logger ?? this.logger,
      // An event its handler's contract refuses is refused on every attempt, as a command is.
      parkAtOnce: (error) => error instanceof ValidationError,
      onParked: options.onParked,
      telemetry: this.#ownTelemetry,
      continueTrace: options.continueTrace ?? false,
      onError: this.#bothTold(options.onError, group, options.logger ?? this.logger),
      handler: async (message, context) => {
        await handler(receivedFromStore(message), {
          idempotencyKey: message.id,
          attempt: context.attempt,
          group,
          tx: context.tx,
          trace: context.trace,
        });
      },
    });
    return this.#running.track({ ready: consumer.caughtUp, stop: () => consumer.stop() });
  }

  // The registration's hook, then the transport's: one that throws must not
  // keep the failure from the other (its throw is logged instead).
  #bothTold(own: HandlerOptions["onError"], group: string, logger: Logger) {
    return (error: unknown) =>
      tellHooks([own, this.#onError], [error], { logger, fields: { group } });
  }

  close(): Promise<void> {
    // Waits stop at once; the calls in flight settle (the gate waits for them), then the
    // handlers stop. New queries are refused already; those still running are the bus's to
    // wait for (it counts every handler's calls).
    this.#closing.abort();
    return this.#gate.close(() => this.#running.stopAll());
  }
}
