/**
 * Checks of read options, shared by every store so that all refuse the same
 * input with the same errors.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import { checkOptions } from "./options.ts";
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type ReadGlobalOptions,
  type ReadPageOptions,
  type ReadStreamOptions,
} from "./event_store.ts";
import { validateCategory } from "./stream_name.ts";
import { BIGINT_VERSION } from "./validate_append.ts";

/** Largest `limit` of a stream read or of one page (`readPage`). */
export const MAX_READ_LIMIT = 100_000;

const READ_STREAM_OPTION_KEYS: readonly string[] = ["direction", "from", "limit", "trace"];
const READ_GLOBAL_OPTION_KEYS: readonly string[] = [
  "from",
  "limit",
  "pageSize",
  "types",
  "signal",
  "trace",
];
const READ_PAGE_OPTION_KEYS: readonly string[] = ["category", "from", "limit", "types", "trace"];

/** Read stream options with every default filled in (`from` stays optional: it depends on direction). */
export interface CheckedReadStreamOptions {
  /** As given, or `"forward"`. */
  readonly direction: "forward" | "backward";
  /** As given; `undefined` reads from the start (forward) or the last message (backward). */
  readonly from: number | undefined;
  /** As given (at most `MAX_READ_LIMIT`), or `Infinity`. */
  readonly limit: number;
}

/** Global read options with every default filled in. */
export interface CheckedReadGlobalOptions {
  /** As given, or `0n`. */
  readonly from: bigint;
  /** As given, or `Infinity` (every message to the end). */
  readonly limit: number;
  /** As given (at most `MAX_PAGE_SIZE`), or `DEFAULT_PAGE_SIZE`. */
  readonly pageSize: number;
  /** As given (never empty); `undefined` for every type. */
  readonly types: readonly string[] | undefined;
  /** As given. */
  readonly signal: AbortSignal | undefined;
}

/** Page read options with every default filled in. */
export interface CheckedReadPageOptions {
  /** As given (a valid category), or `undefined` for the whole store. */
  readonly category: string | undefined;
  /** As given, or `0n`. */
  readonly from: bigint;
  /** As given (at most `MAX_READ_LIMIT`), or `DEFAULT_PAGE_SIZE`. */
  readonly limit: number;
  /** As given (never empty); `undefined` for every type. */
  readonly types: readonly string[] | undefined;
}

/**
 * Checks {@link ReadStreamOptions}; `limit` defaults to no limit (`Infinity`).
 *
 * @example
 * ```ts
 * import { validateReadStreamOptions } from "./validate_read.ts";
 * validateReadStreamOptions({ from: 2 }); // { direction: "forward", from: 2, limit: Infinity }
 * ```
 */
export function validateReadStreamOptions(
  options?: ReadStreamOptions,
): CheckedReadStreamOptions {
  const { direction = "forward", from, limit } = checkOptions(
    options,
    READ_STREAM_OPTION_KEYS,
  ) as ReadStreamOptions;
  if (direction !== "forward" && direction !== "backward") {
    throw new ValidationError("options.direction", direction, 'expected "forward" or "backward"');
  }
  if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) {
    throw new ValidationError(
      "options.from",
      from,
      typeof from === "bigint" ? BIGINT_VERSION : "a stream version is a whole number from 0",
    );
  }
  return { direction, from, limit: limit === undefined ? Infinity : checkLimit(limit) };
}

/**
 * Checks {@link ReadGlobalOptions}: `from` defaults to `0n`, `limit` to no
 * limit, `pageSize` to {@link DEFAULT_PAGE_SIZE}.
 *
 * @example
 * ```ts
 * import { validateReadGlobalOptions } from "./validate_read.ts";
 * validateReadGlobalOptions({ from: 10n }); // { from: 10n, limit: Infinity, pageSize: 1000, … }
 * ```
 */
export function validateReadGlobalOptions(
  options?: ReadGlobalOptions,
): CheckedReadGlobalOptions {
  const { from = 0n, limit, pageSize, types, signal } = checkOptions(
    options,
    READ_GLOBAL_OPTION_KEYS,
  ) as ReadGlobalOptions;
  return {
    from: checkFrom(from),
    limit: limit === undefined ? Infinity : checkLimit(limit, Number.MAX_SAFE_INTEGER),
    pageSize: pageSize === undefined
      ? DEFAULT_PAGE_SIZE
      : checkLimit(pageSize, MAX_PAGE_SIZE, "options.pageSize", "a page size"),
    types: checkTypes(types),
    signal,
  };
}

/**
 * Checks {@link ReadPageOptions}: `from` defaults to `0n`, `limit` to
 * {@link DEFAULT_PAGE_SIZE}, `category` to the whole store.
 *
 * @example
 * ```ts
 * import { validateReadPageOptions } from "./validate_read.ts";
 * validateReadPageOptions({ category: "order" }).limit; // 1000
 * ```
 */
export function validateReadPageOptions(options?: ReadPageOptions): CheckedReadPageOptions {
  const { category, from = 0n, limit, types } = checkOptions(
    options,
    READ_PAGE_OPTION_KEYS,
  ) as ReadPageOptions;
  if (category !== undefined) validateCategory(category, "options.category");
  return {
    category,
    from: checkFrom(from),
    limit: limit === undefined ? DEFAULT_PAGE_SIZE : checkLimit(limit),
    types: checkTypes(types),
  };
}

function checkFrom(from: unknown): bigint {
  if (typeof from !== "bigint" || from < 0n) {
    throw new ValidationError("options.from", from, "a global position is a bigint from 0n");
  }
  return from;
}

function checkTypes(types: unknown): readonly string[] | undefined {
  if (types === undefined) return undefined;
  if (!Array.isArray(types) || types.length === 0) {
    throw new ValidationError(
      "options.types",
      types,
      "expected a non-empty array of message types",
    );
  }
  types.forEach((type, i) => {
    if (typeof type !== "string" || type.length === 0) {
      throw new ValidationError(
        `options.types[${i}]`,
        type,
        "a message type is a non-empty string",
      );
    }
  });
  return types;
}

function checkLimit(
  limit: unknown,
  max = MAX_READ_LIMIT,
  path = "options.limit",
  what = "a limit",
): number {
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? "from 1" : `from 1 to ${max}`;
    throw new ValidationError(path, limit, `${what} is a whole number ${range}`);
  }
  return limit;
}
