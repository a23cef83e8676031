/**
 * Reads and live subscriptions as `Stream`s. A stream reads one page at a
 * time and reads the next only when the pull before it was consumed, so a
 * slow consumer holds at most one page in memory (backpressure). A live
 * stream, once caught up, waits for the store's `waitForAppend` instead of
 * polling; interrupting it (or taking enough of it) stops the wait at once.
 *
 * @module
 */

import { Effect, Option, Stream } from "effect";
import {
  checkOptions,
  checkSource,
  type ConsumerSource,
  type RecordedMessage,
  validateReadGlobalOptions,
  ValidationError,
} from "../core/mod.ts";
import { EventStore, type EventStoreService, type ReadError } from "./event_store.ts";

/** Options of {@link readMessages} and {@link subscribe}. */
export interface StreamOptions {
  /**
   * First position to read, inclusive: a global position for `all` and
   * `category` sources, a stream version for a `stream` source (as a
   * consumer checkpoint is). Default `0n`.
   */
  readonly from?: bigint;
  /** Messages per read, and so most messages held at once. Default 1000. */
  readonly pageSize?: number;
}

interface PageState {
  readonly next: bigint;
  /** Set after a short page: the global head to wait past before reading again. */
  readonly waitPast?: bigint;
}

/**
 * The messages of a source from `from` to its end as it is when the stream
 * reaches it, then the stream ends. Read lazily, page by page.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect";
 * import { memoryLayer, readMessages } from "./mod.ts";
 * const all = Stream.runCollect(readMessages({ category: "order" }));
 * console.log(await Effect.runPromise(Effect.provide(all, memoryLayer()))); // []
 * ```
 */
export function readMessages(
  source: ConsumerSource,
  options: StreamOptions = {},
): Stream.Stream<RecordedMessage, ReadError, EventStore> {
  return pages(source, options, false);
}

/**
 * The messages of a source from `from`, caught up in pages and then followed
 * live, forever: end it by interrupting it or with `Stream.take`/`takeUntil`.
 * Messages come in the source's order (global order for `all` and
 * categories), each once.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect";
 * import { EventStore, memoryLayer, subscribe } from "./mod.ts";
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore;
 *   yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 *   return yield* Stream.runCollect(Stream.take(subscribe({ category: "order" }), 1));
 * });
 * console.log(await Effect.runPromise(Effect.provide(program, memoryLayer())));
 * ```
 */
export function subscribe(
  source: ConsumerSource,
  options: StreamOptions = {},
): Stream.Stream<RecordedMessage, ReadError, EventStore> {
  return pages(source, options, true);
}

const STREAM_OPTION_KEYS: readonly string[] = ["from", "pageSize"];

// The source and options are checked where the stream is made, by the
// store's own read checks, and a refusal is the stream's failure, before it
// reads anything: a misspelt key or a `from` given as a number would
// otherwise read from the start without a word.
function checked(
  source: unknown,
  options: unknown,
): { readonly source: ConsumerSource; readonly from: bigint; readonly limit: number } {
  const checkedSource = checkSource(source, "source");
  const { from, pageSize } = checkOptions(options, STREAM_OPTION_KEYS) as StreamOptions;
  const read = validateReadGlobalOptions({ from, pageSize });
  return { source: checkedSource, from: read.from, limit: read.pageSize };
}

function pages(
  given: ConsumerSource,
  options: StreamOptions,
  live: boolean,
): Stream.Stream<RecordedMessage, ReadError, EventStore> {
  let source: ConsumerSource;
  let from: bigint;
  let limit: number;
  try {
    ({ source, from, limit } = checked(given, options));
  } catch (error) {
    if (error instanceof ValidationError) return Stream.fail(error);
    throw error;
  }
  return Stream.unwrap(
    Effect.map(EventStore, (store) =>
      Stream.paginate<PageState, RecordedMessage, ReadError>(
        { next: from },
        (state) =>
          Effect.gen(function* () {
            if (state.waitPast !== undefined) {
              // A store closed while it waits: end the stream rather than spin
              // (one closed before fails it with ClosedError).
              if (!(yield* store.waitForAppend(state.waitPast))) {
                return [[], Option.none()] as const;
              }
            }
            // The head is read before the page, so a short page proves everything up to it was seen.
            const head = live ? yield* store.headPosition : 0n;
            const { messages: page, next } = yield* readPage(store, source, state.next, limit);
            if (page.length === limit) {
              return [page, Option.some<PageState>({ next })] as const;
            }
            if (!live) return [page, Option.none()] as const;
            const waitPast = state.waitPast !== undefined && state.waitPast > head
              ? state.waitPast
              : head;
            return [page, Option.some<PageState>({ next, waitPast })] as const;
          }),
      )),
  );
}

function readPage(
  store: EventStoreService,
  source: ConsumerSource,
  from: bigint,
  limit: number,
): Effect.Effect<{ readonly messages: RecordedMessage[]; readonly next: bigint }, ReadError> {
  if ("stream" in source) {
    return Effect.map(
      store.readStream(source.stream, { from: Number(from), limit }),
      (messages) => {
        const last = messages[messages.length - 1];
        return { messages, next: last === undefined ? from : BigInt(last.streamVersion) + 1n };
      },
    );
  }
  const category = "category" in source ? source.category : undefined;
  return store.readPage({ category, from, limit, types: source.types });
}
