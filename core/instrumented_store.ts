/**
 * Any `EventStore`, traced and measured: what a store's factory returns when
 * it is given `telemetry`. Appends get a client span (`append <category>`)
 * whose context goes into the metadata of each message that carries none yet,
 * so consumers can link to it; reads get one only inside a trace; append
 * duration, batch size and the head position are measured. Without
 * telemetry, factories return the store itself: nothing here runs.
 *
 * @module
 */

import type {
  AppendOptions,
  AppendResult,
  CommittedAppend,
  DeferredAppendOptions,
  EventStore,
  MessageIterable,
  MessagePage,
  ReadGlobalOptions,
  ReadPageOptions,
  ReadStreamOptions,
  StreamInfo,
  WaitOptions,
} from "./event_store.ts";
import type { Logger } from "./logger.ts";
import type { MessageInput, MessageShape, RecordedMessage } from "./message.ts";
import { readInPages } from "./read_in_pages.ts";
import { ATTR, METRIC, operationAttributes, type OperationName } from "./telemetry/mod.ts";
import type { Attributes, Histogram, Telemetry, TraceContext } from "./telemetry/mod.ts";
import { TRACEPARENT, withTraceContext } from "./telemetry/mod.ts";

/** Options of {@link instrumentStore}. */
export interface InstrumentStoreOptions {
  /** Where spans and metrics go; `undefined` or one that records nothing leaves the store as it is. */
  readonly telemetry: Telemetry | undefined;
  /** The store's name in metrics and spans (`memory`, `postgres:orders`). */
  readonly name: string;
}

/**
 * `store` with its calls traced and measured, and `telemetry` set so that
 * what is built on it inherits it; `store` itself when `telemetry` records
 * nothing. Every other member of `store` (a PostgreSQL store's `migrate`) is
 * left to the caller to carry over.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../stores/memory/mod.ts";
 * import { noTelemetry } from "./telemetry/mod.ts";
 * import { instrumentStore } from "./instrumented_store.ts";
 * const store = instrumentStore(createMemoryStore(), { telemetry: noTelemetry, name: "memory" });
 * await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
 * ```
 */
export function instrumentStore<E extends MessageShape>(
  store: EventStore<E>,
  options: InstrumentStoreOptions,
): EventStore<E> {
  const telemetry = options.telemetry;
  if (telemetry === undefined || !telemetry.enabled) return store;
  // The wrapper hands on what the store holds: its message types are the store's.
  const untyped = store as EventStore<MessageShape> as EventStore;
  return new InstrumentedStore(untyped, telemetry, options.name) as EventStore as EventStore<E>;
}

/**
 * The store under `instrumentStore`'s wrapper, or `store` itself when it has
 * none: for a component's own reads that would only be noise in a trace (the
 * store-backed transport's reads of a reply stream, polled on every append).
 * Its calls are neither traced nor measured.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../stores/memory/mod.ts";
 * import { untracedStore } from "./instrumented_store.ts";
 * const store = createMemoryStore();
 * console.log(untracedStore(store) === store); // true: nothing to unwrap
 * ```
 */
export function untracedStore<E extends MessageShape>(store: EventStore<E>): EventStore<E> {
  return (InstrumentedStore.innerOf(store as EventStore) ?? store) as EventStore<E>;
}

class InstrumentedStore implements EventStore {
  /** The wrapped store of `store` when it is one of these (a factory may have added members to it). */
  static innerOf(store: EventStore): EventStore | undefined {
    return #inner in store ? store.#inner : undefined;
  }

  readonly telemetry: Telemetry;
  readonly #inner: EventStore;
  readonly #store: Attributes;
  readonly #duration: Histogram;
  readonly #batchSize: Histogram;
  readonly #stopGauge: () => void;
  /** Span attributes per operation and category, kept so a call allocates none of them. */
  readonly #byCategory = new Map<string, Attributes>();

  /** The operators' browsing calls of the wrapped store, handed on untraced (people call them now and then). */
  readonly listStreams?: EventStore["listStreams"];
  /** As the wrapped store's. */
  readonly listCategories?: EventStore["listCategories"];
  /** As the wrapped store's. */
  readonly getMessage?: EventStore["getMessage"];
  /** As the wrapped store's. */
  readonly countMessages?: EventStore["countMessages"];

  constructor(inner: EventStore, telemetry: Telemetry, name: string) {
    this.#inner = inner;
    this.listStreams = inner.listStreams?.bind(inner);
    this.listCategories = inner.listCategories?.bind(inner);
    this.getMessage = inner.getMessage?.bind(inner);
    this.countMessages = inner.countMessages?.bind(inner);
    this.telemetry = telemetry;
    this.#store = Object.freeze({ [ATTR.store]: name });
    this.#duration = telemetry.histogram(METRIC.appendDuration, {
      unit: "s",
      description: "Duration of one append to the event store",
    });
    this.#batchSize = telemetry.histogram(METRIC.appendBatchSize, {
      unit: "{message}",
      description: "Messages in one append",
    });
    this.#stopGauge = telemetry.gauge(METRIC.headPosition, {
      unit: "{position}",
      description: "The event store's head global position",
    }, async (observer) => {
      try {
        observer.observe(Number(await inner.headPosition()), this.#store);
      } catch {
        // A closed or unreachable store has no head to report this time.
      }
    });
  }

  /** The wrapped store's logger, which what is built on this store inherits as it would the store's. */
  get logger(): Logger | undefined {
    return this.#inner.logger;
  }

  append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  append(
    streamName: string,
    messages: readonly MessageInput[],
    options: DeferredAppendOptions,
  ): Promise<CommittedAppend>;
  async append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<CommittedAppend> {
    const count = Array.isArray(messages) ? messages.length : 0;
    const category = categoryOrStream(streamName);
    const span = this.telemetry.startSpan(`append ${category}`, {
      kind: "client",
      parent: options?.trace,
      attributes: this.#attributes("append", category),
    });
    if (span.recording) {
      const first = count > 0 ? messages[0] : undefined;
      span.setAttributes({
        [ATTR.destination]: String(streamName),
        [ATTR.stream]: String(streamName),
        [ATTR.batchCount]: count,
        [ATTR.messageId]: count === 1 && typeof first?.id === "string" ? first.id : undefined,
        [ATTR.conversationId]: correlationOf(first),
      });
    }
    const started = performance.now();
    try {
      return await this.#inner.append(streamName, carrying(messages, span.context), options);
    } catch (error) {
      span.fail(error);
      throw error;
    } finally {
      span.end();
      this.#duration.record((performance.now() - started) / 1000, this.#store);
      this.#batchSize.record(count, this.#store);
    }
  }

  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    return this.#read(
      streamName,
      options?.trace,
      () => this.#inner.readStream(streamName, options),
    );
  }

  readPage(options?: ReadPageOptions): Promise<MessagePage<RecordedMessage>> {
    return this.#read(
      options?.category ?? "$all",
      options?.trace,
      () => this.#inner.readPage(options),
    );
  }

  // Page by page through this store's readPage, so each page read in a trace is a span; the
  // next page read ahead, as the stores whose pages come from a server do (a memory store's
  // page ahead costs little).
  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable<RecordedMessage> {
    return readInPages(this.#pages(options?.trace), category, options, { readAhead: true });
  }

  readAll(options?: ReadGlobalOptions): MessageIterable<RecordedMessage> {
    return readInPages(this.#pages(options?.trace), undefined, options, { readAhead: true });
  }

  getStreamInfo(streamName: string): Promise<StreamInfo> {
    return this.#inner.getStreamInfo(streamName);
  }

  headPosition(): Promise<bigint> {
    return this.#inner.headPosition();
  }

  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    return this.#inner.waitForAppend(after, options);
  }

  async close(): Promise<void> {
    this.#stopGauge();
    await this.#inner.close();
  }

  #attributes(operation: OperationName, category: string): Attributes {
    const key = `${operation} ${category}`;
    let attributes = this.#byCategory.get(key);
    if (attributes === undefined) {
      attributes = Object.freeze({ ...operationAttributes(operation, category), ...this.#store });
      if (this.#byCategory.size < 10_000) this.#byCategory.set(key, attributes);
    }
    return attributes;
  }

  /** A page reader that reads in `trace`, the global read's. */
  #pages(trace: TraceContext | undefined): { readPage: EventStore["readPage"] } {
    if (trace === undefined) return this;
    return { readPage: (options) => this.readPage({ ...options, trace }) };
  }

  async #read<R extends RecordedMessage[] | MessagePage<RecordedMessage>>(
    destination: string,
    parent: TraceContext | undefined,
    read: () => Promise<R>,
  ): Promise<R> {
    const category = categoryOrStream(destination);
    const span = this.telemetry.startSpan(`read ${category}`, {
      kind: "client",
      parent,
      parentRequired: true,
      attributes: this.#attributes("read", category),
    });
    try {
      const result = await read();
      if (span.recording) {
        span.setAttributes({
          [ATTR.destination]: String(destination),
          [ATTR.batchCount]: Array.isArray(result) ? result.length : result.messages.length,
        });
      }
      return result;
    } catch (error) {
      span.fail(error);
      throw error;
    } finally {
      span.end();
    }
  }
}

/** The low-cardinality part of a stream name for a span's name: its category. */
function categoryOrStream(name: unknown): string {
  if (typeof name !== "string") return "(invalid)";
  const dash = name.indexOf("-");
  return dash === -1 ? name : name.slice(0, dash);
}

function correlationOf(message: MessageInput | undefined): string | undefined {
  const id = message?.metadata?.correlationId;
  return typeof id === "string" ? id : undefined;
}

/**
 * The messages with `context` in the metadata of those that carry no trace
 * context yet; the array itself when there is nothing to add or it is not
 * well-formed (the store refuses it as it would have).
 */
function carrying(
  messages: readonly MessageInput[],
  context: TraceContext | undefined,
): readonly MessageInput[] {
  if (context === undefined || !Array.isArray(messages)) return messages;
  if (!messages.some((m) => needsContext(m))) return messages;
  return messages.map((m) =>
    needsContext(m) ? { ...m, metadata: withTraceContext(m.metadata, context) } : m
  );
}

function needsContext(message: unknown): boolean {
  if (typeof message !== "object" || message === null) return false;
  const metadata = (message as MessageInput).metadata;
  if (metadata === undefined) return true;
  return typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) &&
    metadata[TRACEPARENT] === undefined;
}
