/**
 * The in-memory event store: every guarantee of the `EventStore` port, kept
 * in plain arrays and maps. It is what tests, examples and edge isolates use,
 * so it is built to be fast: an append is one pass of validation and copying
 * plus a few map and array operations, and it happens synchronously, which is
 * what makes it atomic.
 *
 * @module
 */

import {
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  type CategorySummary,
  checkAppendLimits,
  checkExpectedVersion,
  checkLogger,
  checkOptions,
  CloseGate,
  consoleLogger,
  type CountMessagesOptions,
  type DeferredAppendOptions,
  type EventStore,
  instrumentStore,
  type JsonMessage,
  type ListStreamsOptions,
  type Logger,
  type MessageInput,
  type MessageIterable,
  type MessagePage,
  type MessagePosition,
  type MessageShape,
  pageOf,
  parseStreamName,
  PositionWaiters,
  type ReadGlobalOptions,
  readInPages,
  type ReadPageOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  resolveAppendRetry,
  type StreamInfo,
  type StreamPage,
  type Telemetry,
  validateAppendOptions,
  validateId,
  validateMessages,
  validateReadPageOptions,
  validateReadStreamOptions,
  type WaitOptions,
} from "../../core/mod.ts";
import { MemoryBrowser } from "./_memory_browse.ts";

/** Options of {@link createMemoryStore}. */
export interface CreateMemoryStoreOptions extends AppendLimits {
  /**
   * Where appends and reads report spans and metrics (`openTelemetry()` from
   * `ordo/opentelemetry`); consumers and transports built on the store
   * inherit it. Default: none, and the store is not wrapped at all.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where what is built on the store (consumers, the store-backed transport)
   * reports, unless given its own logger. Default: the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = ["maxMessageSize", "maxBatchSize", "logger", "telemetry"];

/**
 * Creates an empty in-memory event store.
 *
 * Messages live as long as the store object; nothing is persisted. Stored
 * messages are frozen copies, so neither writers nor readers can change them.
 * `E`, the union of message shapes the store holds, types appends and reads
 * (see `EventStore`); without it, any type and JSON data.
 * After `close()` every call rejects with `ClosedError`.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { createMemoryStore } from "./memory_store.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * const [placed] = await store.readStream("order-1");
 * console.log(placed.streamVersion, placed.globalPosition); // 0 1n
 * ```
 */
export function createMemoryStore<E extends MessageShape = JsonMessage>(
  options: CreateMemoryStoreOptions = {},
): EventStore<E> {
  // The types are the caller's word: the store holds JSON messages of any type.
  const store = new MemoryStore(options) as EventStore as EventStore<E>;
  return options.telemetry === undefined
    ? store
    : instrumentStore(store, { telemetry: options.telemetry, name: "memory" });
}

// One stream's messages, and its category's array so that an append to a
// known stream needs no parsing of its name.
interface StreamRecords {
  readonly records: RecordedMessage[];
  readonly inCategory: RecordedMessage[];
}

class MemoryStore implements EventStore {
  readonly logger: Logger;
  readonly #limits: AppendLimits;
  // The global log: the message at position p is at index p - 1.
  readonly #log: RecordedMessage[] = [];
  readonly #streams = new Map<string, StreamRecords>();
  readonly #categories = new Map<string, RecordedMessage[]>();
  readonly #byId = new Map<string, RecordedMessage>();
  readonly #waiters = new PositionWaiters();
  readonly #browser = new MemoryBrowser({
    log: this.#log,
    streams: this.#streams,
    categories: this.#categories,
  });
  readonly #gate = new CloseGate("store");

  constructor(options: CreateMemoryStoreOptions) {
    checkOptions(options, OPTION_KEYS);
    this.#limits = checkAppendLimits(options);
    this.logger = checkLogger(options.logger, "options.logger", consoleLogger);
  }

  async append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<AppendResult> {
    this.#ensureOpen("append");
    let stream = this.#streams.get(streamName);
    // A stream already in the map was validated when it was created.
    const category = stream === undefined ? parseStreamName(streamName).category : undefined;
    const expected = validateAppendOptions(options).expectedVersion;
    const checked = validateMessages(messages, this.#limits);
    const count = checked.length;

    // One id lookup per message; the retry rule needs the positions only when one is stored.
    for (let i = 0; i < count; i++) {
      if (this.#byId.has(checked[i].id)) {
        const retry = resolveAppendRetry(
          streamName,
          checked,
          checked.map((m) => this.#byId.get(m.id)),
        );
        if (retry !== undefined) return retry;
        break;
      }
    }
    if (expected !== "any") {
      checkExpectedVersion(
        streamName,
        expected,
        stream === undefined ? undefined : stream.records.length - 1,
      );
    }

    // Everything is checked: from here on nothing throws, so the append is all or nothing.
    if (stream === undefined) stream = this.#createStream(streamName, category!);
    const { records, inCategory } = stream;
    const log = this.#log;
    const positions: MessagePosition[] = new Array(count);
    let record: RecordedMessage | undefined;
    for (let i = 0; i < count; i++) {
      const { id, type, data, metadata } = checked[i];
      const streamVersion = records.length;
      const globalPosition = BigInt(log.length + 1);
      record = Object.freeze({
        id,
        type,
        data,
        metadata,
        streamName,
        streamVersion,
        globalPosition,
      });
      log.push(record);
      records.push(record);
      inCategory.push(record);
      this.#byId.set(id, record);
      positions[i] = { id, streamVersion, globalPosition };
    }
    const { streamVersion, globalPosition } = record!;
    this.#waiters.notify(globalPosition);
    return { streamName, streamVersion, globalPosition, positions, deduplicated: false };
  }

  #createStream(streamName: string, category: string): StreamRecords {
    let inCategory = this.#categories.get(category);
    if (inCategory === undefined) this.#categories.set(category, inCategory = []);
    const stream = { records: [], inCategory };
    this.#streams.set(streamName, stream);
    return stream;
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readStream");
    const stream = this.#streams.get(streamName)?.records;
    if (stream === undefined) parseStreamName(streamName);
    const { direction, from, limit } = validateReadStreamOptions(options);
    if (stream === undefined) return [];
    if (direction === "forward") {
      const start = from ?? 0;
      return stream.slice(start, limit === Infinity ? undefined : start + limit);
    }
    const start = Math.min(from ?? stream.length - 1, stream.length - 1);
    const end = limit === Infinity ? 0 : Math.max(0, start - limit + 1);
    return stream.slice(end, start + 1).reverse();
  }

  async readPage(options?: ReadPageOptions): Promise<MessagePage> {
    this.#ensureOpen("readPage");
    const { category, from, limit, types } = validateReadPageOptions(options);
    let records = this.#log;
    let start = from <= 1n ? 0 : Number(from - 1n);
    if (category !== undefined) {
      records = this.#categories.get(category) ?? [];
      start = firstAtOrAfter(records, from);
    }
    return pageOf(pick(records, start, limit, types), from, limit);
  }

  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, category, options);
  }

  readAll(options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, undefined, options);
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#ensureOpen("getStreamInfo");
    const stream = this.#streams.get(streamName)?.records;
    if (stream === undefined) {
      parseStreamName(streamName);
      return { streamName, version: undefined, globalPosition: undefined };
    }
    const last = stream[stream.length - 1];
    return { streamName, version: last.streamVersion, globalPosition: last.globalPosition };
  }

  async headPosition(): Promise<bigint> {
    this.#ensureOpen("headPosition");
    return BigInt(this.#log.length);
  }

  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#gate.closed) return this.#gate.refuse("waitForAppend");
    return this.#waiters.wait(after, BigInt(this.#log.length), options);
  }

  async listStreams(options?: ListStreamsOptions): Promise<StreamPage> {
    this.#ensureOpen("listStreams");
    return this.#browser.listStreams(options);
  }

  async getMessage(id: string): Promise<RecordedMessage | undefined> {
    this.#ensureOpen("getMessage");
    return this.#byId.get(validateId(id, "id"));
  }

  async listCategories(): Promise<CategorySummary[]> {
    this.#ensureOpen("listCategories");
    return this.#browser.listCategories();
  }

  async countMessages(options?: CountMessagesOptions): Promise<number> {
    this.#ensureOpen("countMessages");
    return this.#browser.countMessages(options);
  }

  // Every call does its work synchronously (an append is one step), so none is ever in flight.
  close(): Promise<void> {
    return this.#gate.close(() => this.#waiters.close());
  }

  #ensureOpen(operation: string): void {
    this.#gate.ensureOpen(operation);
  }
}

// Index of the first record at or after `from` in records sorted by global position.
function firstAtOrAfter(records: readonly RecordedMessage[], from: bigint): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (records[mid].globalPosition < from) low = mid + 1;
    else high = mid;
  }
  return low;
}

function pick(
  records: readonly RecordedMessage[],
  start: number,
  limit: number,
  types: readonly string[] | undefined,
): RecordedMessage[] {
  if (types === undefined) return records.slice(start, start + limit);
  const result: RecordedMessage[] = [];
  for (let i = start; i < records.length && result.length < limit; i++) {
    if (types.includes(records[i].type)) result.push(records[i]);
  }
  return result;
}
