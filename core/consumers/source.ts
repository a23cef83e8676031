/**
 * What a consumer reads: one stream, one category, or the whole store, and
 * how one page of it is read from a position.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { checkKnownKeys } from "../options.ts";
import type { EventStore } from "../event_store.ts";
import type { RecordedMessage } from "../message.ts";
import { parseStreamName, validateCategory } from "../stream_name.ts";

/**
 * Where a consumer's messages come from. Positions (checkpoints) are global
 * positions for `all` and `category`, stream versions for `stream`.
 */
export type ConsumerSource =
  | { readonly all: true; readonly types?: readonly string[] }
  | { readonly category: string; readonly types?: readonly string[] }
  | { readonly stream: string };

const SOURCE_KEYS: readonly string[] = ["all", "category", "stream", "types"];

/**
 * Checks a source and returns it.
 *
 * @throws {ValidationError} when it names no source, or a bad stream or category
 * @example
 * ```ts
 * import { checkSource } from "./source.ts";
 * checkSource({ category: "order" });
 * ```
 */
export function checkSource(source: unknown, path = "options.source"): ConsumerSource {
  if (typeof source !== "object" || source === null) {
    throw new ValidationError(path, source, "expected { all: true }, { category } or { stream }");
  }
  checkKnownKeys(source, SOURCE_KEYS, path);
  const s = source as Record<string, unknown>;
  const kinds = ["all", "category", "stream"].filter((k) => s[k] !== undefined);
  if (kinds.length !== 1) {
    throw new ValidationError(
      path,
      source,
      'expected exactly one of "all", "category" or "stream"',
    );
  }
  if (s.all !== undefined && s.all !== true) {
    throw new ValidationError(`${path}.all`, s.all, "must be true");
  }
  if (s.category !== undefined) validateCategory(s.category, `${path}.category`);
  if (s.stream !== undefined) parseStreamName(s.stream, `${path}.stream`);
  if (s.types !== undefined) checkSourceTypes(s, path);
  return source as ConsumerSource;
}

// Checked here, with the other options, so that a bad filter is refused by
// createConsumer itself: the store's read would refuse it only once the
// consumer had started, stopping it with an error in the log. A stream source
// reads by stream version, and no store filters that read by type, so `types`
// there would be ignored: refused instead of delivering every type.
function checkSourceTypes(source: Record<string, unknown>, path: string): void {
  const { types } = source;
  if (source.stream !== undefined) {
    throw new ValidationError(
      `${path}.types`,
      types,
      "a stream source delivers every message of its stream: skip types in the handler, " +
        "or read a category ({ category, types })",
    );
  }
  if (!Array.isArray(types) || types.length === 0) {
    throw new ValidationError(
      `${path}.types`,
      types,
      'expected a non-empty array of message types, such as ["OrderPlaced"]',
    );
  }
  types.forEach((type, i) => {
    if (typeof type !== "string" || type.length === 0) {
      throw new ValidationError(
        `${path}.types[${i}]`,
        type,
        "a message type is a non-empty string",
      );
    }
  });
}

/**
 * One page of a source, from `from` (inclusive), and the position to read next.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../../mod.ts";
 * import { readSourcePage } from "./source.ts";
 * const page = await readSourcePage(createMemoryStore(), { category: "order" }, { from: 0n, limit: 10 });
 * console.log(page.messages.length, page.next); // 0 0n
 * ```
 */
export async function readSourcePage(
  store: EventStore,
  source: ConsumerSource,
  options: { readonly from: bigint; readonly limit: number },
): Promise<{ readonly messages: RecordedMessage[]; readonly next: bigint }> {
  const { from, limit } = options;
  if ("stream" in source) {
    const messages = await store.readStream(source.stream, { from: Number(from), limit });
    const last = messages[messages.length - 1];
    return { messages, next: last === undefined ? from : positionAfter(source, last) };
  }
  const { types } = source;
  const category = "category" in source ? source.category : undefined;
  const { messages, next } = await store.readPage({ category, from, limit, types });
  return { messages, next };
}

/**
 * The checkpoint after handling `message`: where the next read starts.
 *
 * @example
 * ```ts
 * import { positionAfter } from "./source.ts";
 * // positionAfter({ stream: "order-1" }, message) is message.streamVersion + 1 as a bigint
 * ```
 */
export function positionAfter(source: ConsumerSource, message: RecordedMessage): bigint {
  return "stream" in source ? BigInt(message.streamVersion) + 1n : message.globalPosition + 1n;
}
