/**
 * The event store as an Effect service: the `EventStore` key, the shape of
 * the service, and {@link makeEventStore}, which wraps any Promise-based
 * store (memory, PostgreSQL, PGlite, EventStoreDB) into it.
 *
 * @module
 */

import { Context, type Effect } from "effect";
import type {
  AppendOptions,
  AppendResult,
  ClosedError,
  CommittedAppend,
  ConcurrencyError,
  DeferredAppendOptions,
  DuplicateMessageError,
  EventStore as EventStorePort,
  MessageInput,
  MessagePage,
  NotMigratedError,
  ReadGlobalOptions,
  ReadPageOptions,
  ReadStreamOptions,
  RecordedMessage,
  StoreUnavailableError,
  StreamInfo,
  ValidationError,
} from "../core/mod.ts";
import { fromOrdo } from "./_from_promise.ts";
import { tracedOptions, withCurrentTrace } from "./_trace_bridge.ts";

/**
 * What any call of the store can fail with, whatever its input: the store
 * cannot be reached (retryable), it was closed, or its schema is not migrated
 * (neither retryable; docs/decisions/errors.md).
 */
export type StoreAccessError = StoreUnavailableError | ClosedError | NotMigratedError;

/** What an append can fail with; each has a literal `_tag` for `Effect.catchTag`. */
export type AppendError =
  | ConcurrencyError
  | DuplicateMessageError
  | ValidationError
  | StoreAccessError;

/** What a read can fail with. */
export type ReadError = ValidationError | StoreAccessError;

/**
 * The event store's operations as Effects. Failures named in the types are
 * ordo's errors; anything else a store throws is a defect.
 */
export interface EventStoreService {
  /** The Promise-based store underneath, for code that needs the port itself (consumers). */
  readonly port: EventStorePort;
  /**
   * Appends messages to one stream, atomically. Interrupting the effect does
   * not cancel a write already sent: retry with the same message ids.
   * With `awaitGlobalPosition: false` it succeeds at commit with stream
   * versions only (global positions where already known), as the port does.
   */
  append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions,
  ): Effect.Effect<AppendResult, AppendError>;
  /** With `awaitGlobalPosition: false`: succeeds at commit, before global positions are known. */
  append(
    streamName: string,
    messages: readonly MessageInput[],
    options: DeferredAppendOptions,
  ): Effect.Effect<CommittedAppend, AppendError>;
  /** Either kind of options, when which one is not known until run time. */
  append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Effect.Effect<CommittedAppend, AppendError>;
  /** Reads one stream in version order; an absent stream reads as empty. */
  readStream(
    streamName: string,
    options?: ReadStreamOptions,
  ): Effect.Effect<RecordedMessage[], ReadError>;
  /**
   * Reads every message of a category from `from` (up to `limit`) in global
   * order, into one array; `readMessages` streams them a page at a time instead.
   */
  readCategory(
    category: string,
    options?: ReadGlobalOptions,
  ): Effect.Effect<RecordedMessage[], ReadError>;
  /** Reads every message of the store from `from` (up to `limit`) in global order, into one array. */
  readAll(options?: ReadGlobalOptions): Effect.Effect<RecordedMessage[], ReadError>;
  /** Reads one page of the store or of a category, and where the next one starts (see the port's `readPage`). */
  readPage(options?: ReadPageOptions): Effect.Effect<MessagePage, ReadError>;
  /** The version and last position of one stream. */
  getStreamInfo(streamName: string): Effect.Effect<StreamInfo, ReadError>;
  /** The global position of the newest readable message; `0n` when empty. */
  readonly headPosition: Effect.Effect<bigint, StoreAccessError>;
  /**
   * Succeeds `true` once a message past `after` can be read, `false` after
   * `timeout` ms or when the store closes while it waits; on a store already
   * closed it fails with `ClosedError`. Interruptible.
   */
  waitForAppend(
    after: bigint,
    options?: { readonly timeout?: number },
  ): Effect.Effect<boolean, StoreAccessError>;
}

/**
 * The event store service key. Provide it with a layer (`memoryLayer`,
 * `postgresLayer`, `pgliteLayer`, `storeLayer`) and use it with `yield* EventStore`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { EventStore, memoryLayer } from "./mod.ts";
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore;
 *   yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 *   return yield* store.readStream("order-1");
 * });
 * console.log(await Effect.runPromise(Effect.provide(program, memoryLayer())));
 * ```
 */
export class EventStore
  extends Context.Service<EventStore, EventStoreService>()("ordo/EventStore") {}

// A closed store and an unmigrated schema are ordo's answers, not defects:
// they go to the error channel with their tags, as the Promise API rejects.
const ACCESS_TAGS = ["StoreUnavailableError", "ClosedError", "NotMigratedError"] as const;
const APPEND_TAGS = [
  "ConcurrencyError",
  "DuplicateMessageError",
  "ValidationError",
  ...ACCESS_TAGS,
] as const;
const READ_TAGS = ["ValidationError", ...ACCESS_TAGS] as const;

/**
 * Wraps a Promise-based store as the {@link EventStore} service. The caller
 * keeps owning `store` (this does not close it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { createMemoryStore } from "../mod.ts";
 * import { makeEventStore } from "./mod.ts";
 * const store = makeEventStore(createMemoryStore());
 * console.log(await Effect.runPromise(store.headPosition)); // 0n
 * ```
 */
export function makeEventStore(store: EventStorePort): EventStoreService {
  return EventStore.of({
    port: store,
    // One function behind the overloads: the port's own overloads pick the result type.
    append: ((
      streamName: string,
      messages: readonly MessageInput[],
      options?: AppendOptions | DeferredAppendOptions,
    ) =>
      withCurrentTrace(options?.trace, (trace) =>
        fromOrdo<CommittedAppend, AppendError>(
          APPEND_TAGS,
          () => store.append(streamName, messages, tracedOptions(options, trace)),
        ))) as EventStoreService["append"],
    readStream: (streamName, options) =>
      withCurrentTrace(options?.trace, (trace) =>
        fromOrdo<RecordedMessage[], ReadError>(
          READ_TAGS,
          () => store.readStream(streamName, tracedOptions(options, trace)),
        )),
    // Interrupting the effect aborts the read between pages. The async
    // functions turn a refusal of the options at the call into a failure.
    readCategory: (category, options) =>
      withCurrentTrace(options?.trace, (trace) =>
        fromOrdo<RecordedMessage[], ReadError>(
          READ_TAGS,
          async (signal) =>
            await store.readCategory(category, { ...tracedOptions(options, trace), signal })
              .toArray(),
        )),
    readAll: (options) =>
      withCurrentTrace(options?.trace, (trace) =>
        fromOrdo<RecordedMessage[], ReadError>(
          READ_TAGS,
          async (signal) =>
            await store.readAll({ ...tracedOptions(options, trace), signal }).toArray(),
        )),
    readPage: (options) =>
      withCurrentTrace(options?.trace, (trace) =>
        fromOrdo<MessagePage, ReadError>(
          READ_TAGS,
          () => store.readPage(tracedOptions(options, trace)),
        )),
    getStreamInfo: (streamName) =>
      fromOrdo<StreamInfo, ReadError>(READ_TAGS, () => store.getStreamInfo(streamName)),
    headPosition: fromOrdo<bigint, StoreAccessError>(ACCESS_TAGS, () => store.headPosition()),
    waitForAppend: (after, options) =>
      fromOrdo<boolean, StoreAccessError>(
        ACCESS_TAGS,
        (signal) => store.waitForAppend(after, { signal, timeout: options?.timeout }),
      ),
  });
}
