/**
 * The `EventStore` port: the primitive operations every store adapter
 * implements (memory, PostgreSQL, EventStoreDB). Everything else in ordo —
 * consumers, the bus, projections — is built on these alone.
 *
 * @module
 */

import type { Logger } from "./logger.ts";
import type {
  CategorySummary,
  CountMessagesOptions,
  ListStreamsOptions,
  StreamPage,
} from "./browse.ts";
import type {
  ExpectedVersion,
  JsonMessage,
  MessageInputOf,
  MessageShape,
  RecordedMessage,
  RecordedMessageOf,
} from "./message.ts";
import type { Telemetry, TraceContext } from "./telemetry/mod.ts";

/** Options of {@link EventStore.append}. */
export interface AppendOptions {
  /** What the stream's version must be for the append to go ahead. Default `"any"`. */
  readonly expectedVersion?: ExpectedVersion;
  /**
   * `true` (the default): the append resolves once its messages have their
   * global positions. Pass `false` (see {@link DeferredAppendOptions}) to
   * resolve as soon as the messages are durably stored.
   */
  readonly awaitGlobalPosition?: true;
  /**
   * The trace this append is part of (a handler's `context.trace`): its span
   * is that context's child, when the store has telemetry. Ignored otherwise.
   */
  readonly trace?: TraceContext;
}

/**
 * Options of an append that resolves as soon as its messages are durably
 * stored, before their global positions are necessarily known. On a store
 * that numbers messages after commit this saves the wait for the numbering;
 * the stores in this package all know positions at commit (PostgreSQL since
 * its migration 5), so there it changes nothing. Use it when the caller
 * needs only the stream version (a command handler's next expected version),
 * not a position to wait on. See docs/decisions/model-and-port.md.
 */
export interface DeferredAppendOptions {
  /** What the stream's version must be for the append to go ahead. Default `"any"`. */
  readonly expectedVersion?: ExpectedVersion;
  /** `false`: resolve at commit, with global positions only where already known. */
  readonly awaitGlobalPosition: false;
  /** The trace this append is part of; see {@link AppendOptions.trace}. */
  readonly trace?: TraceContext;
}

/** Where one appended message was stored, once numbered. */
export interface MessagePosition {
  /** The message's id, given or generated (lowercase UUID). */
  readonly id: string;
  /** Its version in the stream, from 0. */
  readonly streamVersion: number;
  /** Its position in the store's global order, above 0. */
  readonly globalPosition: bigint;
}

/** Where one appended message was stored; its global position only if already known. */
export interface CommittedPosition {
  /** The message's id, given or generated (lowercase UUID). */
  readonly id: string;
  /** Its version in the stream, from 0. */
  readonly streamVersion: number;
  /** Its position in the store's global order, when already known. */
  readonly globalPosition?: bigint;
}

/** What an append with `awaitGlobalPosition: false` resolves with. */
export interface CommittedAppend {
  /** The stream appended to, as given. */
  readonly streamName: string;
  /** Version of the append's last message: the expected version for the next append. */
  readonly streamVersion: number;
  /** Global position of the append's last message, when already known. */
  readonly globalPosition?: bigint;
  /** One entry per message, in the order given. */
  readonly positions: readonly CommittedPosition[];
  /**
   * True when every message was already stored by an earlier append (a retry):
   * nothing was written and `positions` are the original ones.
   */
  readonly deduplicated: boolean;
}

/** What {@link EventStore.append} resolves with: a committed append with every global position. */
export interface AppendResult extends CommittedAppend {
  /** Global position of the append's last message. */
  readonly globalPosition: bigint;
  /** One entry per message, in the order given, each with its global position. */
  readonly positions: readonly MessagePosition[];
}

/** Options of {@link EventStore.readStream}. */
export interface ReadStreamOptions {
  /** Default `"forward"` (oldest first). */
  readonly direction?: "forward" | "backward";
  /**
   * First version to return, inclusive. Default: the stream's start when
   * reading forward, its last message when reading backward.
   */
  readonly from?: number;
  /** Most messages to return. Default: all. */
  readonly limit?: number;
  /** The trace this read is part of: a store with telemetry traces a read only inside a trace. */
  readonly trace?: TraceContext;
}

/**
 * Options of {@link EventStore.readAll} and {@link EventStore.readCategory}.
 * Without `limit` the read yields every message from `from` to the end.
 */
export interface ReadGlobalOptions {
  /** First global position to return, inclusive. Default `0n` (the start). */
  readonly from?: bigint;
  /** Most messages to yield in all. Default: no limit, every message to the end. */
  readonly limit?: number;
  /**
   * Messages fetched per round trip, and so most messages held at once.
   * Default {@link DEFAULT_PAGE_SIZE}, at most {@link MAX_PAGE_SIZE}.
   */
  readonly pageSize?: number;
  /** Only messages of these types. Default: every type. */
  readonly types?: readonly string[];
  /** Stops the read: the iteration rejects with the signal's reason before its next page or message. */
  readonly signal?: AbortSignal;
  /** The trace this read is part of: each page read in it is a span; see {@link ReadStreamOptions.trace}. */
  readonly trace?: TraceContext;
}

/** Default page size of global reads, as in Message DB. */
export const DEFAULT_PAGE_SIZE = 1000;

/** Largest `pageSize` of a global read. */
export const MAX_PAGE_SIZE = 10_000;

/** Options of {@link EventStore.readPage}. */
export interface ReadPageOptions {
  /** Only this category's streams (`order` for `order-*`). Default: the whole store. */
  readonly category?: string;
  /** First global position to return, inclusive. Default `0n` (the start). */
  readonly from?: bigint;
  /** Most messages in the page. Default {@link DEFAULT_PAGE_SIZE}, at most `MAX_READ_LIMIT`. */
  readonly limit?: number;
  /** Only messages of these types. Default: every type. */
  readonly types?: readonly string[];
  /** The trace this read is part of; see {@link ReadStreamOptions.trace}. */
  readonly trace?: TraceContext;
}

/**
 * One page of a global read, and where the next one starts. Pages read one
 * after the other with `from: page.next` join up: no message is skipped or
 * repeated, even while writers append.
 */
export interface MessagePage<M = RecordedMessage> {
  /** The page's messages, in global order. */
  readonly messages: M[];
  /** The position to pass as `from` to read on: past the last message, or `from` when empty. */
  readonly next: bigint;
  /**
   * True when the page came back short (fewer than `limit` messages): it
   * reached the readable head as it was when the page was read.
   */
  readonly end: boolean;
}

/**
 * What {@link EventStore.readAll} and {@link EventStore.readCategory} return:
 * the messages, read lazily in pages as the iteration asks for them. Each
 * iteration reads again from the start position.
 */
export interface MessageIterable<M = RecordedMessage> extends AsyncIterable<M> {
  /** Reads every message into one array (mind the memory: give `limit` on a large store). */
  toArray(): Promise<M[]>;
}

/** What {@link EventStore.getStreamInfo} resolves with. */
export interface StreamInfo {
  /** The stream asked about, as given. */
  readonly streamName: string;
  /** Version of the last message; `undefined` when the stream has none. */
  readonly version: number | undefined;
  /** Global position of the last message; `undefined` when the stream has none. */
  readonly globalPosition: bigint | undefined;
}

/** Options of {@link EventStore.waitForAppend}. */
export interface WaitOptions {
  /** Stop waiting when aborted: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Resolve `false` after this many milliseconds with nothing new. Default: wait until aborted. */
  readonly timeout?: number;
}

/**
 * An append-only store of messages with a fixed order.
 *
 * Guarantees every adapter keeps (each proven by the contract suite):
 * 1. stream versions are contiguous from 0, and `expectedVersion` is checked
 *    atomically with the write;
 * 2. an append stores all of its messages or none;
 * 3. global positions only grow, and a reader that has seen position p never
 *    later sees a new message below p;
 * 4. a message id already stored is not stored again: the retry gets the
 *    original positions;
 * 5. bad input is refused with a `ValidationError` before anything is written.
 *
 * Reads: `readStream` returns a whole stream (or `limit` of it) as an array.
 * Global reads never stop silently: `readAll` and `readCategory` yield every
 * message from `from` to the readable head, in pages, as an async iterable;
 * `readPage` is the page primitive underneath, for code that pages itself.
 * An adapter implements `readStream` and `readPage`, and returns
 * `readInPages(this, …)` (from `ordo/kit`) for the other two
 * (docs/decisions/reads.md).
 *
 * Types: `E` is the union of message shapes the store holds
 * (`createMemoryStore<OrderEvent>()`); appends are checked against it and
 * reads are typed by it, so `message.type` narrows `message.data`. It is
 * not checked at run time (data is checked to be JSON). Without it, any
 * type name and JSON data.
 */
export interface EventStore<E extends MessageShape = JsonMessage> {
  /**
   * Type-level only, never set: the message types the store was typed with,
   * from which `createConsumer`, `createCommandHandler` and the like infer them.
   */
  readonly "~messages"?: E;

  /**
   * Where the store reports spans and metrics, when it was given telemetry.
   * What is built on the store (consumers, the store-backed transport)
   * inherits it unless given its own. Adapters leave it out; the kit's
   * `instrumentStore` sets it.
   */
  readonly telemetry?: Telemetry;

  /**
   * Where the store reports what happens to it (a failure it retries, a lost
   * connection), one line per event. What is built on the store (consumers,
   * the store-backed transport) inherits it unless given its own.
   */
  readonly logger?: Logger;

  /**
   * Appends messages to one stream, atomically.
   *
   * @throws {ConcurrencyError} when the stream's version is not `expectedVersion`
   * @throws {DuplicateMessageError} when an id is already stored by a different append
   * @throws {ValidationError} on bad input; nothing is written
   * @throws {StoreUnavailableError} when the store cannot be reached; retry with the same ids
   * @throws {NotMigratedError} when the store's schema is missing or older than the code
   * @throws {ClosedError} after `close()`
   */
  append(
    streamName: string,
    messages: readonly MessageInputOf<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * Appends and resolves once the messages are durably stored; global
   * positions are included where already known. Same checks and errors.
   */
  append(
    streamName: string,
    messages: readonly MessageInputOf<E>[],
    options: DeferredAppendOptions,
  ): Promise<CommittedAppend>;
  /** Either of the above, chosen at run time. */
  append(
    streamName: string,
    messages: readonly MessageInputOf<E>[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<CommittedAppend>;

  /** Reads one stream in version order. An absent stream reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessageOf<E>[]>;

  /**
   * Reads one page of the whole store, or of one category, in global order,
   * from `from` up to the readable head. The primitive global read: code that
   * pages by itself (consumers, tools) calls it with `from: page.next` until
   * a page says `end`. Adapters implement it; `readAll` and `readCategory`
   * are derived from it (see `readInPages` in `ordo/kit`).
   *
   * @throws {ValidationError} on bad options
   * @throws {StoreUnavailableError} when the store cannot be reached or is closed
   */
  readPage(options?: ReadPageOptions): Promise<MessagePage<RecordedMessageOf<E>>>;

  /**
   * Every message of a category's streams (`order` for `order-*`) from
   * `from`, in global order, read in pages as it is iterated
   * (`for await (const m of store.readCategory("order"))`). It ends at the
   * first page that comes back short: the readable head when that page was
   * read. Memory holds one page at a time.
   *
   * @throws {ValidationError} at the call, on a bad category or bad options
   */
  readCategory(
    category: string,
    options?: ReadGlobalOptions,
  ): MessageIterable<RecordedMessageOf<E>>;

  /** Every message of the store from `from`, in global order; otherwise as {@link readCategory}. */
  readAll(options?: ReadGlobalOptions): MessageIterable<RecordedMessageOf<E>>;

  /** The version and last position of one stream. */
  getStreamInfo(streamName: string): Promise<StreamInfo>;

  /** The global position of the newest message a reader can see; `0n` when empty. */
  headPosition(): Promise<bigint>;

  /**
   * Resolves `true` once a message past `after` can be read, at once if one
   * already can; `false` when `timeout` passes first. Readers use it to follow
   * the store live without polling in a tight loop.
   */
  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean>;

  /**
   * Releases what the store holds (listeners, timers) once the calls in
   * flight have finished. Pending waits resolve `false`; every later call
   * rejects with `ClosedError`. Idempotent.
   */
  close(): Promise<void>;

  /**
   * Optional, for operators' tools: one page of the store's streams, by
   * name, filtered by category, name prefix or a message type they hold.
   * The memory and PostgreSQL stores have it (on PostgreSQL a page costs
   * one index probe per stream listed: see docs/decisions/operations.md).
   *
   * @throws {ValidationError} on bad options
   */
  listStreams?(options?: ListStreamsOptions): Promise<StreamPage>;

  /** Optional, for operators' tools: every category, with its newest message's position. */
  listCategories?(): Promise<CategorySummary[]>;

  /**
   * Optional, for operators' tools: the message with this id (a causation
   * id's message, say); `undefined` when none is stored. One index lookup.
   *
   * @throws {ValidationError} when `id` is no UUID
   */
  getMessage?(id: string): Promise<RecordedMessageOf<E> | undefined>;

  /**
   * Optional, for operators' tools: how many messages of the store (or of a
   * category, of some types) lie at or after `from`, counting no further
   * than `max`, so that it costs at most that many index entries. A
   * consumer's lag is this count from its checkpoint.
   *
   * @throws {ValidationError} on bad options
   */
  countMessages?(options?: CountMessagesOptions): Promise<number>;
}

/**
 * The same store, typed as holding messages of any type with JSON data: for
 * code that handles every kind of message whatever the store was typed
 * with (consumer engines, transports).
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../mod.ts";
 * import { untypedStore } from "./event_store.ts";
 * const orders = createMemoryStore<{ type: "OrderPlaced"; data: { total: number } }>();
 * await untypedStore(orders).append("audit-1", [{ type: "Checked", data: {} }]);
 * ```
 */
export function untypedStore<E extends MessageShape>(store: EventStore<E>): EventStore {
  return store as EventStore<MessageShape> as EventStore;
}
