/**
 * Stream names: `category-id`, as in Message DB. The category is everything
 * before the first dash (`order` in `order-123`); the id is the rest and may
 * contain dashes itself (`order-5f1c-4d2e` has id `5f1c-4d2e`). A category
 * read returns every stream of one category in global order.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";

/** The parts of a stream name. */
export interface StreamNameParts {
  /** Everything before the first dash (`order`). */
  readonly category: string;
  /** Everything after it, dashes included (`5f1c-4d2e`). */
  readonly id: string;
}

/** Longest stream name accepted, in characters. */
export const MAX_STREAM_NAME_LENGTH = 200;

// A category starts with a letter or underscore and holds letters, digits,
// `_`, `.` and `:` (Message DB's `account:command` style); no dash, since the
// first dash ends it.
const CATEGORY = /^[A-Za-z_][A-Za-z0-9_.:]*$/;
// An id is any run of visible characters: no whitespace, no control characters.
const ID = /^[^\s\p{Cc}]+$/u;

/**
 * Checks a category name and returns it.
 *
 * @throws {ValidationError} when empty or not letters, digits, `_`, `.`, `:` starting with a letter or `_`
 * @example
 * ```ts
 * import { validateCategory } from "./stream_name.ts";
 * validateCategory("order"); // "order"
 * ```
 */
export function validateCategory(category: unknown, path = "category"): string {
  if (typeof category !== "string") {
    throw new ValidationError(path, category, "a category must be a string");
  }
  if (category.length === 0) throw new ValidationError(path, category, "must not be empty");
  if (category.length > MAX_STREAM_NAME_LENGTH) {
    throw new ValidationError(
      path,
      category,
      `must be at most ${MAX_STREAM_NAME_LENGTH} characters`,
    );
  }
  if (!CATEGORY.test(category)) {
    throw new ValidationError(
      path,
      category,
      "a category starts with a letter or _ and holds only letters, digits, _, . and :",
    );
  }
  return category;
}

/**
 * Splits a stream name into category and id, checking both.
 *
 * @throws {ValidationError} naming the stream and what is wrong with it
 * @example
 * ```ts
 * import { parseStreamName } from "./stream_name.ts";
 * parseStreamName("order-5f1c-4d2e"); // { category: "order", id: "5f1c-4d2e" }
 * ```
 */
export function parseStreamName(streamName: unknown, path = "streamName"): StreamNameParts {
  if (typeof streamName !== "string") {
    throw new ValidationError(path, streamName, "a stream name must be a string");
  }
  if (streamName.length === 0) throw new ValidationError(path, streamName, "must not be empty");
  if (streamName.length > MAX_STREAM_NAME_LENGTH) {
    throw new ValidationError(
      path,
      streamName,
      `must be at most ${MAX_STREAM_NAME_LENGTH} characters`,
    );
  }
  const dash = streamName.indexOf("-");
  if (dash === -1) {
    throw new ValidationError(path, streamName, 'expected "category-id", found no dash');
  }
  const category = streamName.slice(0, dash);
  const id = streamName.slice(dash + 1);
  if (category.length === 0) {
    throw new ValidationError(
      path,
      streamName,
      'expected "category-id", the category before the dash is empty',
    );
  }
  if (!CATEGORY.test(category)) {
    throw new ValidationError(
      path,
      streamName,
      `category "${category}" must start with a letter or _ and hold only letters, digits, _, . and :`,
    );
  }
  if (id.length === 0) {
    throw new ValidationError(
      path,
      streamName,
      'expected "category-id", the id after the dash is empty',
    );
  }
  if (!ID.test(id) || !id.isWellFormed()) {
    throw new ValidationError(
      path,
      streamName,
      `id "${id}" must not contain whitespace, control characters or unpaired surrogates`,
    );
  }
  return { category, id };
}

/**
 * The category of a valid stream name, without checking it again.
 *
 * @example
 * ```ts
 * import { categoryOf } from "./stream_name.ts";
 * categoryOf("order-123"); // "order"
 * ```
 */
export function categoryOf(streamName: string): string {
  const dash = streamName.indexOf("-");
  return dash === -1 ? streamName : streamName.slice(0, dash);
}

/**
 * Builds a stream name from a category and an id, checking the result.
 *
 * @example
 * ```ts
 * import { streamName } from "./stream_name.ts";
 * streamName("order", "123"); // "order-123"
 * ```
 */
export function streamName(category: string, id: string): string {
  const name = `${category}-${id}`;
  parseStreamName(name);
  return name;
}
