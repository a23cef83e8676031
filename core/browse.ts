/**
 * Browsing a store, for the people who operate it (the `ordo` command line,
 * the console of `ordo/admin`): which streams and categories it holds, and
 * how many messages of a source lie past a position. Optional capabilities
 * of an `EventStore`: the memory and PostgreSQL stores have them; a store
 * without them still works everywhere else, and the tools say what they
 * cannot show.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import { checkOptions } from "./options.ts";
import { validateCategory } from "./stream_name.ts";

/** Options of `EventStore.listStreams`. */
export interface ListStreamsOptions {
  /** Only streams of this category (`order` for `order-*`). */
  readonly category?: string;
  /** Only streams whose name starts with this text (`order-12`). */
  readonly prefix?: string;
  /** Only streams holding at least one message of this type. */
  readonly type?: string;
  /** The page after this stream name: the `next` of the previous page. Default: the first page. */
  readonly after?: string;
  /** Most streams in the page; default {@link DEFAULT_STREAM_PAGE}, at most {@link MAX_STREAM_PAGE}. */
  readonly limit?: number;
}

/** One stream as a browser lists it: its name and its last message. */
export interface StreamSummary {
  /** The stream's name. */
  readonly streamName: string;
  /** Its category: the name up to the first dash. */
  readonly category: string;
  /** Version of its last message: the stream holds `version + 1` messages. */
  readonly version: number;
  /** Global position of its last message. */
  readonly globalPosition: bigint;
  /** Type of its last message. */
  readonly lastType: string;
  /** `metadata.timestamp` of its last message, when it has one. */
  readonly lastTimestamp?: string;
}

/**
 * One page of streams, in the order of their names (code point order).
 *
 * A page may hold fewer than `limit` streams and still not be the last: a
 * filter by type looks at a bounded number of streams per call, so that no
 * call runs long. Ask again with `after: next` until `end`.
 */
export interface StreamPage {
  /** The streams of this page, ordered by name. */
  readonly streams: StreamSummary[];
  /** Pass as `after` for the next page; `undefined` at the end. */
  readonly next: string | undefined;
  /** True when no stream past this page matches. */
  readonly end: boolean;
}

/** One category and where its newest message is. */
export interface CategorySummary {
  /** The category (`order`). */
  readonly category: string;
  /** Global position of its newest message a reader can see. */
  readonly lastPosition: bigint;
}

/** Options of `EventStore.countMessages`. */
export interface CountMessagesOptions {
  /** Count one category; default the whole store. */
  readonly category?: string;
  /** Count only these types; default every type. */
  readonly types?: readonly string[];
  /** First global position counted, inclusive. Default `0n`. */
  readonly from?: bigint;
  /** Stop counting here: the answer is at most this. Default {@link DEFAULT_COUNT_CAP}. */
  readonly max?: number;
}

/** Default page size of `listStreams`. */
export const DEFAULT_STREAM_PAGE = 50;
/** Largest page `listStreams` returns. */
export const MAX_STREAM_PAGE = 1000;
/** Default cap of `countMessages`: counting stops here, so a count never costs more. */
export const DEFAULT_COUNT_CAP = 10_000;

/** {@link ListStreamsOptions} with defaults filled in. */
export interface CheckedListStreamsOptions {
  /** As given. */
  readonly category: string | undefined;
  /** As given. */
  readonly prefix: string | undefined;
  /** As given. */
  readonly type: string | undefined;
  /** As given, or `""` (before every name). */
  readonly after: string;
  /** As given, or {@link DEFAULT_STREAM_PAGE}. */
  readonly limit: number;
}

/**
 * Checks {@link ListStreamsOptions}; every store refuses the same input the same way.
 *
 * @throws {ValidationError} naming the option and what is wrong with it
 * @example
 * ```ts
 * import { validateListStreamsOptions } from "./browse.ts";
 * validateListStreamsOptions({ category: "order" }).limit; // 50
 * ```
 */
export function validateListStreamsOptions(
  options: ListStreamsOptions = {},
): CheckedListStreamsOptions {
  checkOptions(options, ["category", "prefix", "type", "after", "limit"]);
  const { category, prefix, type, after = "", limit = DEFAULT_STREAM_PAGE } = options;
  if (category !== undefined) validateCategory(category, "options.category");
  for (const [path, value] of [["options.prefix", prefix], ["options.type", type]] as const) {
    if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
      throw new ValidationError(path, value, "must be a non-empty string");
    }
  }
  if (typeof after !== "string") {
    throw new ValidationError("options.after", after, "must be a stream name (a page's next)");
  }
  checkWhole(limit, "options.limit", MAX_STREAM_PAGE);
  return { category, prefix, type, after, limit };
}

/** {@link CountMessagesOptions} with defaults filled in. */
export interface CheckedCountMessagesOptions {
  /** As given. */
  readonly category: string | undefined;
  /** As given (never empty). */
  readonly types: readonly string[] | undefined;
  /** As given, or `0n`. */
  readonly from: bigint;
  /** As given, or {@link DEFAULT_COUNT_CAP}. */
  readonly max: number;
}

/**
 * Checks {@link CountMessagesOptions}.
 *
 * @throws {ValidationError} naming the option and what is wrong with it
 * @example
 * ```ts
 * import { validateCountMessagesOptions } from "./browse.ts";
 * validateCountMessagesOptions({ from: 5n }).max; // 10000
 * ```
 */
export function validateCountMessagesOptions(
  options: CountMessagesOptions = {},
): CheckedCountMessagesOptions {
  checkOptions(options, ["category", "types", "from", "max"]);
  const { category, types, from = 0n, max = DEFAULT_COUNT_CAP } = options;
  if (category !== undefined) validateCategory(category, "options.category");
  if (types !== undefined) {
    if (!Array.isArray(types) || types.length === 0) {
      throw new ValidationError("options.types", types, "expected a non-empty array of types");
    }
    types.forEach((t, i) => {
      if (typeof t !== "string" || t.length === 0) {
        throw new ValidationError(`options.types[${i}]`, t, "a message type is a non-empty string");
      }
    });
  }
  if (typeof from !== "bigint" || from < 0n) {
    throw new ValidationError("options.from", from, "a global position is a bigint from 0n");
  }
  checkWhole(max, "options.max", Number.MAX_SAFE_INTEGER);
  return { category, types, from, max };
}

/**
 * The one prefix every name a filter accepts starts with: the category's
 * `category-`, the name prefix, or the longer of the two when one extends the
 * other; `undefined` when they exclude each other (no name passes).
 *
 * @example
 * ```ts
 * import { namePrefixOf } from "./browse.ts";
 * namePrefixOf("order", "order-1"); // "order-1"
 * namePrefixOf("order", "user-"); // undefined
 * ```
 */
export function namePrefixOf(
  category: string | undefined,
  prefix: string | undefined,
): string | undefined {
  const byCategory = category === undefined ? "" : `${category}-`;
  const byName = prefix ?? "";
  if (byName.startsWith(byCategory)) return byName;
  if (byCategory.startsWith(byName)) return byCategory;
  return undefined;
}

/**
 * Compares two stream names by code point, the order `listStreams` pages in
 * (JavaScript's `<` compares UTF-16 code units, which differs above U+FFFF).
 *
 * @example
 * ```ts
 * import { compareNames } from "./browse.ts";
 * ["order-b", "order-a"].sort(compareNames); // ["order-a", "order-b"]
 * ```
 */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function checkWhole(value: unknown, path: string, max: number): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ValidationError(path, value, `must be a whole number from 1 to ${max}`);
  }
}
