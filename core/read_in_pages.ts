/**
 * The global reads every store offers, derived from its one page primitive:
 * `readAll` and `readCategory` read page after page with `readPage` as they
 * are iterated, so every adapter gets the same semantics from this code.
 *
 * @module
 */

import type {
  MessageIterable,
  MessagePage,
  ReadGlobalOptions,
  ReadPageOptions,
} from "./event_store.ts";
import type { RecordedMessage } from "./message.ts";
import { validateCategory } from "./stream_name.ts";
import { type CheckedReadGlobalOptions, validateReadGlobalOptions } from "./validate_read.ts";

/** Options of {@link readInPages}. */
export interface ReadInPagesOptions {
  /**
   * Ask for the next page as soon as one arrives, so the store works on it
   * while the caller goes through this one. Worth it where a page comes from
   * another process (a database server): its time then overlaps the caller's
   * instead of adding to it. At most one page is read ahead. Default `false`.
   */
  readonly readAhead?: boolean;
}

/**
 * The messages of the whole store (`category` undefined) or of one category
 * from `options.from`, read lazily page by page through `store.readPage`. An
 * adapter's `readAll` and `readCategory` are this, so it implements only
 * `readPage`. The options are checked at the call; the iteration ends at the
 * first page that comes back short, after `limit` messages, or rejects with
 * the signal's reason once `signal` aborts. Used as an array in JavaScript
 * (`.map`, `.length`, `for…of`, `Array.from`) it throws a `TypeError` that
 * says to use `toArray()` or `for await`.
 *
 * @throws {ValidationError} at the call, on a bad category or bad options
 * @example
 * ```ts
 * import { createMemoryStore } from "../mod.ts";
 * import { readInPages } from "./read_in_pages.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * for await (const message of readInPages(store, "order", { pageSize: 100 })) {
 *   console.log(message.type); // OrderPlaced
 * }
 * ```
 */
export function readInPages<M = RecordedMessage>(
  store: PageReader<M>,
  category: string | undefined,
  options?: ReadGlobalOptions,
  paging: ReadInPagesOptions = {},
): MessageIterable<M> {
  if (category !== undefined) validateCategory(category);
  const checked = validateReadGlobalOptions(options);
  return new PagedMessages(store, category, checked, paging.readAhead === true);
}

class PagedMessages<M> implements MessageIterable<M> {
  readonly #store: PageReader<M>;
  readonly #category: string | undefined;
  readonly #options: CheckedReadGlobalOptions;
  readonly #readAhead: boolean;

  constructor(
    store: PageReader<M>,
    category: string | undefined,
    options: CheckedReadGlobalOptions,
    readAhead: boolean,
  ) {
    this.#store = store;
    this.#category = category;
    this.#options = options;
    this.#readAhead = readAhead;
  }

  [Symbol.asyncIterator](): AsyncIterator<M> {
    return new PageIterator(this.#store, this.#category, this.#options, this.#readAhead);
  }

  async toArray(): Promise<M[]> {
    const all: M[] = [];
    for await (const message of this) all.push(message);
    return all;
  }

  // What a JavaScript caller who takes it for readStream's array meets first: a bare
  // "map is not a function", or worse nothing at all (`length` undefined, `Array.from` an empty
  // array). Each says what it is and what to write. No `then`: that would break `await`.
  get length(): never {
    throw this.#notAnArray("length");
  }

  [Symbol.iterator](): never {
    throw this.#notAnArray("for…of, spread or Array.from");
  }

  map(): never {
    throw this.#notAnArray("map");
  }

  filter(): never {
    throw this.#notAnArray("filter");
  }

  forEach(): never {
    throw this.#notAnArray("forEach");
  }

  reduce(): never {
    throw this.#notAnArray("reduce");
  }

  find(): never {
    throw this.#notAnArray("find");
  }

  #notAnArray(used: string): TypeError {
    const call = this.#category === undefined
      ? "readAll()"
      : `readCategory(${JSON.stringify(this.#category)})`;
    return new TypeError(
      `${call} returns an async iterable read page by page, not an array (readStream returns an array), so it has no ${used}: collect it with \`await store.${call}.toArray()\` (mind the memory, or give limit), or go through it with \`for await (const message of store.${call})\``,
    );
  }
}

// A hand-written iterator rather than an async generator: a message of the
// page in hand costs one resolved promise, not a generator's round of ticks.
class PageIterator<M> implements AsyncIterator<M> {
  readonly #store: PageReader<M>;
  readonly #category: string | undefined;
  readonly #options: CheckedReadGlobalOptions;
  readonly #readAhead: boolean;
  #page: M[] = [];
  #index = 0;
  // Where the next page starts and how many messages may still be read, after the last page received.
  #from: bigint;
  #left: number;
  #last = false;
  // The next page, asked for before the caller needed it (with read-ahead).
  #ahead: Promise<MessagePage<M>> | undefined;

  constructor(
    store: PageReader<M>,
    category: string | undefined,
    options: CheckedReadGlobalOptions,
    readAhead: boolean,
  ) {
    this.#store = store;
    this.#category = category;
    this.#options = options;
    this.#readAhead = readAhead;
    this.#from = options.from;
    this.#left = options.limit;
  }

  next(): Promise<IteratorResult<M>> {
    const { signal } = this.#options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#index < this.#page.length) {
      return Promise.resolve({ value: this.#page[this.#index++], done: false });
    }
    return this.#nextPage();
  }

  return(): Promise<IteratorResult<M>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  async #nextPage(): Promise<IteratorResult<M>> {
    // Taken before it settles: a page read ahead that failed is read again by the next call.
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead === undefined && (this.#last || this.#left <= 0)) return this.#finish();
    const page = await (ahead ?? this.#read());
    this.#options.signal?.throwIfAborted();
    this.#left -= page.messages.length;
    this.#from = page.next;
    this.#last = page.end;
    this.#page = page.messages;
    this.#index = 0;
    if (page.messages.length === 0) return this.#finish();
    if (this.#readAhead && !this.#last && this.#left > 0) {
      this.#ahead = this.#read();
      // Read ahead and then not wanted (the caller stopped): its failure is no one's.
      this.#ahead.catch(() => {});
    }
    return { value: this.#page[this.#index++], done: false };
  }

  #read(): Promise<MessagePage<M>> {
    const { pageSize, types } = this.#options;
    return this.#store.readPage({
      ...(this.#category === undefined ? {} : { category: this.#category }),
      from: this.#from,
      limit: Math.min(pageSize, this.#left),
      ...(types === undefined ? {} : { types }),
    });
  }

  #finish(): IteratorResult<M> {
    this.#last = true;
    this.#ahead = undefined;
    this.#page = [];
    this.#index = 0;
    return { value: undefined, done: true };
  }
}

/**
 * The page an adapter's `readPage` resolves with, from the messages it read:
 * `next` is past the last message (or `from` when there is none), and `end`
 * says the page came back short.
 *
 * @example
 * ```ts
 * import { pageOf } from "./read_in_pages.ts";
 * pageOf([], 5n, 100); // { messages: [], next: 5n, end: true }
 * ```
 */
export function pageOf<M extends { readonly globalPosition: bigint }>(
  messages: M[],
  from: bigint,
  limit: number,
): MessagePage<M> {
  const last = messages[messages.length - 1];
  return {
    messages,
    next: last === undefined ? from : last.globalPosition + 1n,
    end: messages.length < limit,
  };
}

/** What {@link readInPages} needs of a store: its page read. An adapter passes itself. */
export interface PageReader<M = RecordedMessage> {
  /** The adapter's `readPage`. */
  readPage(options: ReadPageOptions): Promise<MessagePage<M>>;
}
