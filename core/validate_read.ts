/**
 * Checks of read options, shared by every store so that all refuse the same
 * input with the same errors.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import { checkOptions } from "./options.ts";
import {
  DEFAULT_READ_LIMIT,
  type ReadGlobalOptions,
  type ReadStreamOptions,
} from "./event_store.ts";

/** Largest page a single read may ask for. */
export const MAX_READ_LIMIT = 100_000;

const READ_STREAM_OPTION_KEYS: readonly string[] = ["direction", "from", "limit"];
const READ_GLOBAL_OPTION_KEYS: readonly string[] = ["from", "limit", "types"];

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
  /** As given (at most `MAX_READ_LIMIT`), or `DEFAULT_READ_LIMIT`. */
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
    throw new ValidationError("options.from", from, "a stream version is a whole number from 0");
  }
  return { direction, from, limit: limit === undefined ? Infinity : checkLimit(limit) };
}

/**
 * Checks {@link ReadGlobalOptions}, filling in `from = 0n` and the default limit.
 *
 * @example
 * ```ts
 * import { validateReadGlobalOptions } from "./validate_read.ts";
 * validateReadGlobalOptions({ from: 10n }).limit; // 1000
 * ```
 */
export function validateReadGlobalOptions(
  options?: ReadGlobalOptions,
): CheckedReadGlobalOptions {
  const { from = 0n, limit = DEFAULT_READ_LIMIT, types } = checkOptions(
    options,
    READ_GLOBAL_OPTION_KEYS,
  ) as ReadGlobalOptions;
  if (typeof from !== "bigint" || from < 0n) {
    throw new ValidationError("options.from", from, "a global position is a bigint from 0n");
  }
  if (types !== undefined) {
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
  }
  return { from, limit: checkLimit(limit), types };
}

function checkLimit(limit: unknown): number {
  if (
    typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT
  ) {
    throw new ValidationError(
      "options.limit",
      limit,
      `a limit is a whole number from 1 to ${MAX_READ_LIMIT}`,
    );
  }
  return limit;
}
