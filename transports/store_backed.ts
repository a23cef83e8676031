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
  checkRetryPolicy,
  type CommittedAppend,
  ConcurrencyError,
  type ConsumerStorage,
  createConsumer,
  type EventStore,
  IdempotencyConflictError,
  type JsonValue,
  type MessageShape,
  type RecordedMessage,
  type RetryPolicy,
  sameContent,
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
  type SendReceipt,
  type Transport,
  type TransportCallOptions,
} from "../core/messaging/mod.ts";

/** Options of {@link createStoreBackedTransport}. */
export interface CreateStoreBackedTransportOptions<Tx> {
  /** Where command and event handlers keep checkpoints and parked messages. */
  readonly storage: ConsumerStorage<Tx>;
  /** Default retry policy of handlers (see `RetryPolicy`); a handler's own options override it. */
  readonly retry?: RetryPolicy;
  /** Messages per read. Default 100. */
  readonly batchSize?: number;
  /** Failures of the transport's own reads, commits and reply writes (they are retried). */
  readonly onError?: (error: unknown) => void;
}

/** The data of a reply message. */
type ReplyData =
  | { readonly ok: true; readonly result: JsonValue }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** The type of reply messages. */
export const REPLY_TYPE = "ordo/reply";

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
 * checkpoint's transaction (`context.tx`).
 *
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
  readonly #store: EventStore;
  readonly #storage: ConsumerStorage<unknown>;
  readonly #retry: RetryPolicy | undefined;
  readonly #batchSize: number;
  readonly #onError: (error: unknown) => void;
  readonly #queries = new QueryRegistry();
  readonly #running = new Set<Registration>();

  constructor(store: EventStore, options: CreateStoreBackedTransportOptions<unknown>) {
    if (typeof store?.append !== "function") {
      throw new ValidationError("store", store, "must be an EventStore");
    }
    if (typeof options?.storage?.checkpoints !== "object") {
      throw new ValidationError("options.storage", options?.storage, "must be a ConsumerStorage");
    }
    this.#store = store;
    this.#storage = options.storage;
    this.#retry = options.retry;
    checkRetryPolicy(options.retry);
    this.#batchSize = options.batchSize ?? 100;
    this.#onError = options.onError ?? (() => {});
  }

  async send(command: CommandEnvelope): Promise<SendReceipt> {
    const result = await this.#store.append(commandStream(command.type, command.key), [
      toInput(command, command.metadata),
    ]);
    await refuseConflict(this.#store, command, result);
    return {
      id: command.id,
      deduplicated: result.deduplicated,
      streamName: result.streamName,
      globalPosition: result.globalPosition,
    };
  }

  async sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const replyTo = replyStream(command.type, command.id);
    const signal = options?.signal;
    // Only the reply is waited for, so the command's global position is not.
    const sent = await this.#store.append(commandStream(command.type, command.key), [
      toInput(command, { ...command.metadata, replyTo }),
    ], {
      awaitGlobalPosition: false,
    });
    await refuseConflict(this.#store, command, sent);
    for (;;) {
      // The head is read before the reply stream: a reply stored after that read is past it, so the wait sees it.
      const head = await this.#store.headPosition();
      const [reply] = await this.#store.readStream(replyTo, { limit: 1 });
      if (reply !== undefined) return unpackReply(reply);
      signal?.throwIfAborted();
      await this.#store.waitForAppend(head, { signal });
    }
  }

  query(query: QueryEnvelope): Promise<unknown> {
    return this.#queries.dispatch(query);
  }

  async publish(event: EventEnvelope): Promise<PublishReceipt> {
    const result = await this.#store.append(event.streamName, [toInput(event, event.metadata)]);
    return {
      id: event.id,
      streamName: result.streamName,
      deduplicated: result.deduplicated,
      globalPosition: result.globalPosition,
    };
  }

  handleCommand(
    name: string,
    handler: CommandEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    const store = this.#store;
    const group = `ordo:command:${name}`;
    const consumer = createConsumer(store, {
      group,
      source: { category: commandCategory(name), types: [name] },
      storage: this.#storage,
      batchSize: this.#batchSize,
      // The handler appends events and its reply to the store: no storage
      // transaction may stay open meanwhile (on PGlite it would wait forever).
      commit: "after-handler",
      retry: options.retry ?? this.#retry,
      // A command its handler's contract refuses is refused on every attempt.
      parkAtOnce: (error) => error instanceof ValidationError,
      onError: (error) => {
        options.onError?.(error);
        this.#onError(error);
      },
      // Awaited before the checkpoint moves past the command, so a crash
      // cannot lose the failure reply a waiting sender needs.
      onParked: async (entry) => {
        options.onParked?.(entry);
        const replyTo = replyToOf(entry.message);
        if (replyTo !== undefined) {
          await writeReply(store, replyTo, entry.message, {
            ok: false,
            error: { name: entry.error.name, message: entry.error.message },
          });
        }
      },
      handler: async (message, { attempt }) => {
        const replyTo = replyToOf(message);
        if (replyTo !== undefined && (await store.readStream(replyTo, { limit: 1 })).length > 0) {
          return; // answered before a crash
        }
        const result = await handler(receivedFromStore(message), {
          idempotencyKey: message.id,
          attempt,
          group,
          tx: undefined,
        });
        if (replyTo !== undefined) {
          await writeReply(store, replyTo, message, {
            ok: true,
            result: (result ?? null) as JsonValue,
          });
        }
      },
    });
    // Ready once caught up; a loop stopped before that is ready too (there is nothing to wait for).
    const ready = consumer.caughtUp.catch(() => {});
    return this.#track({ ready, stop: () => consumer.stop() });
  }

  handleQuery(name: string, handler: QueryEndpoint): Registration {
    return this.#queries.register(name, handler);
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    const source = Array.isArray(selector)
      ? { all: true as const, types: selector }
      : { category: (selector as { category: string }).category };
    const consumer = createConsumer(this.#store, {
      group,
      source,
      storage: this.#storage,
      batchSize: this.#batchSize,
      retry: options.retry ?? this.#retry,
      onParked: options.onParked,
      onError: (error) => {
        options.onError?.(error);
        this.#onError(error);
      },
      handler: async (message, context) => {
        await handler(receivedFromStore(message), {
          idempotencyKey: message.id,
          attempt: context.attempt,
          group,
          tx: context.tx,
        });
      },
    });
    return this.#track({ ready: consumer.caughtUp, stop: () => consumer.stop() });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#running].map((registration) => registration.stop()));
  }

  #track(registration: Registration): Registration {
    const tracked: Registration = {
      ready: registration.ready,
      stop: async () => {
        this.#running.delete(tracked);
        await registration.stop();
      },
    };
    this.#running.add(tracked);
    return tracked;
  }
}

function toInput(message: CommandEnvelope | EventEnvelope, metadata: CommandEnvelope["metadata"]) {
  return { id: message.id, type: message.type, data: message.data as JsonValue, metadata };
}

/** A command the store deduplicated must be the same command: its type and data are compared with the stored one's. */
async function refuseConflict(
  store: EventStore,
  command: CommandEnvelope,
  append: CommittedAppend,
): Promise<void> {
  if (!append.deduplicated) return;
  const [stored] = await store.readStream(append.streamName, {
    from: append.streamVersion,
    limit: 1,
  });
  if (
    stored !== undefined &&
    (stored.type !== command.type || !sameContent(stored.data, command.data))
  ) {
    throw new IdempotencyConflictError(command.id, command.type);
  }
}

function replyToOf(message: RecordedMessage): string | undefined {
  const replyTo = message.metadata.replyTo;
  return typeof replyTo === "string" ? replyTo : undefined;
}

// One reply per command: the reply stream must not exist yet, so a second
// writer (a redelivery after a crash) loses quietly.
async function writeReply(
  store: EventStore,
  replyTo: string,
  command: RecordedMessage,
  data: ReplyData,
): Promise<void> {
  try {
    await store.append(replyTo, [{
      type: REPLY_TYPE,
      data: data as unknown as JsonValue,
      metadata: {
        correlationId: command.metadata.correlationId ?? command.id,
        causationId: command.id,
      },
    }], { expectedVersion: "no-stream", awaitGlobalPosition: false });
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
  }
}

function unpackReply(reply: RecordedMessage): unknown {
  const data = reply.data as unknown as ReplyData;
  if (data.ok) return data.result;
  const error = new Error(data.error.message);
  error.name = data.error.name;
  throw error;
}
