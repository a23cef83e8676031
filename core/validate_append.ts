/**
 * The checks every store runs before it writes anything: one place, so that
 * each adapter refuses exactly the same input with exactly the same errors.
 *
 * @module
 */

import { normalizeUuid } from "./_uuid.ts";
import { versionSpellingHint } from "./_version_spellings.ts";
import { isoNow } from "./clock.ts";
import { ValidationError } from "./errors.ts";
import { copyJsonAt, lastCopySize } from "./json.ts";
import { checkCount, checkKnownKeys } from "./options.ts";
import type { ExpectedVersion, Message, MessageInput, MessageMetadata } from "./message.ts";

/** Limits an append is checked against. */
export interface AppendLimits {
  /** Largest data plus metadata of one message, in JSON text characters. Default 1 MiB. */
  readonly maxMessageSize?: number;
  /** Most messages in one append. Default 10,000. */
  readonly maxBatchSize?: number;
}

/** Default for {@link AppendLimits.maxMessageSize}: 1 MiB of JSON text. */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
/** Default for {@link AppendLimits.maxBatchSize}. */
export const DEFAULT_MAX_BATCH_SIZE = 10_000;

/**
 * A store's append limits from its options, each checked and defaulted, so
 * every store names the same option in the same error.
 *
 * @throws {ValidationError} when a limit is not a positive integer, naming its option
 * @example
 * ```ts
 * import { checkAppendLimits } from "./validate_append.ts";
 * checkAppendLimits({ maxBatchSize: 100 }); // { maxMessageSize: 1048576, maxBatchSize: 100 }
 * ```
 */
export function checkAppendLimits(options: AppendLimits): Required<AppendLimits> {
  return {
    maxMessageSize: checkCount(
      options.maxMessageSize,
      "options.maxMessageSize",
      DEFAULT_MAX_MESSAGE_SIZE,
    ),
    maxBatchSize: checkCount(options.maxBatchSize, "options.maxBatchSize", DEFAULT_MAX_BATCH_SIZE),
  };
}

const MESSAGE_TYPE = /^[^\s\p{Cc}][^\p{Cc}]*$/u;
const MAX_TYPE_LENGTH = 200;

/**
 * Checks an expected version and returns it.
 *
 * @throws {ValidationError} unless a non-negative safe integer or one of `"no-stream"`, `"exists"`, `"any"`
 * @example
 * ```ts
 * import { validateExpectedVersion } from "./validate_append.ts";
 * validateExpectedVersion(3); // 3
 * ```
 */
export function validateExpectedVersion(
  expected: unknown,
  path = "expectedVersion",
): ExpectedVersion {
  if (typeof expected === "number" && Number.isSafeInteger(expected) && expected >= 0) {
    return expected;
  }
  if (expected === "no-stream" || expected === "exists" || expected === "any") return expected;
  const hint = versionSpellingHint(expected);
  throw new ValidationError(
    path,
    expected,
    typeof expected === "bigint"
      ? BIGINT_VERSION
      : typeof expected === "number"
      ? `a version is a whole number from 0 (the first message)${hint ? `: ${hint}` : ""}`
      : `expected a version number, "no-stream", "exists" or "any"${hint ? `: ${hint}` : ""}`,
  );
}

/**
 * Why a bigint is refused where a stream version goes: EventStoreDB's client
 * and Emmett count revisions in bigints, and "a whole number from 0" would
 * not tell their users what is wrong with `0n`.
 */
export const BIGINT_VERSION =
  "a stream version is a number here, not a bigint (global positions are the bigints): pass Number(version)";

/** An append's options, checked, with defaults filled in. */
export interface CheckedAppendOptions {
  /** As given, or `"any"`. */
  readonly expectedVersion: ExpectedVersion;
  /** As given, or `true`. */
  readonly awaitGlobalPosition: boolean;
}

/**
 * Checks the options of an append (the object may be absent).
 *
 * @throws {ValidationError} naming `options`, `options.expectedVersion` or
 *   `options.awaitGlobalPosition`, or an unknown key (`options.expectVersion`)
 * @example
 * ```ts
 * import { validateAppendOptions } from "./validate_append.ts";
 * validateAppendOptions({ expectedVersion: 2 }); // { expectedVersion: 2, awaitGlobalPosition: true }
 * ```
 */
export function validateAppendOptions(options: unknown): CheckedAppendOptions {
  if (options === undefined) return DEFAULT_APPEND_OPTIONS;
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", options, "append options must be an object");
  }
  checkKnownKeys(options, APPEND_OPTION_KEYS, "options");
  const { expectedVersion, awaitGlobalPosition } = options as Record<string, unknown>;
  if (awaitGlobalPosition !== undefined && typeof awaitGlobalPosition !== "boolean") {
    throw new ValidationError(
      "options.awaitGlobalPosition",
      awaitGlobalPosition,
      "must be true or false",
    );
  }
  if (expectedVersion === undefined && awaitGlobalPosition !== false) return DEFAULT_APPEND_OPTIONS;
  return {
    expectedVersion: expectedVersion === undefined
      ? "any"
      : validateExpectedVersion(expectedVersion, "options.expectedVersion"),
    awaitGlobalPosition: awaitGlobalPosition !== false,
  };
}

/** The keys an append's options may have. */
const APPEND_OPTION_KEYS: readonly string[] = ["expectedVersion", "awaitGlobalPosition", "trace"];

const DEFAULT_APPEND_OPTIONS: CheckedAppendOptions = Object.freeze({
  expectedVersion: "any",
  awaitGlobalPosition: true,
});

/**
 * Checks one append's messages and returns them validated: ids chosen and
 * lowercased, data and metadata copied and frozen, timestamps set.
 *
 * @throws {ValidationError} naming the first bad field, e.g. `messages[1].data.total`;
 *   also for an empty batch and for an id given twice in one batch
 * @example
 * ```ts
 * import { validateMessages } from "./validate_append.ts";
 * const [message] = validateMessages([{ type: "OrderPlaced", data: { total: 3 } }]);
 * console.log(message.id.length); // 36
 * ```
 */
export function validateMessages(
  messages: unknown,
  limits: AppendLimits = {},
  now: () => string = isoNow,
): Message[] {
  if (!Array.isArray(messages)) {
    throw new ValidationError("messages", messages, "expected an array of messages");
  }
  if (messages.length === 0) {
    throw new ValidationError("messages", messages, "an append needs at least one message");
  }
  const maxBatch = limits.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (messages.length > maxBatch) {
    throw new ValidationError(
      "messages",
      messages,
      `at most ${maxBatch} messages fit in one append (the store's maxBatchSize option)`,
    );
  }
  const maxSize = limits.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const timestamp = now();
  const result: Message[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    result[i] = validateMessage(messages[i], i, maxSize, timestamp);
  }
  if (result.length > 1) {
    const seen = new Set<string>();
    for (let i = 0; i < result.length; i++) {
      const id = result[i].id;
      if (seen.has(id)) {
        throw new ValidationError(
          `messages[${i}].id`,
          id,
          "the same id appears twice in one append",
        );
      }
      seen.add(id);
    }
  }
  return result;
}

// Paths are built only for an error: `messages[${i}]` and its `.data` were two
// strings made for every appended message, to be thrown away.
function validateMessage(
  input: unknown,
  index: number,
  maxSize: number,
  timestamp: string,
): Message {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ValidationError(
      `messages[${index}]`,
      input,
      "expected a message object { type, data, metadata?, id? }",
    );
  }
  checkMessageKeys(input, index);
  const { id, type, data, metadata } = input as MessageInput<string, unknown>;
  const checkedId = id === undefined
    ? crypto.randomUUID()
    : (typeof id === "string" ? normalizeUuid(id) : undefined) ??
      validateId(id, `messages[${index}].id`);
  if (!isValidType(type)) {
    throw new ValidationError(
      `messages[${index}].type`,
      type,
      `a message type is a non-empty string of at most ${MAX_TYPE_LENGTH} characters, with no control characters or leading space`,
    );
  }
  if (data === undefined) {
    throw new ValidationError(
      `messages[${index}].data`,
      data,
      "a message needs data (use {} for none)",
    );
  }
  const dataCopy = copyJsonAt(data, "messages", index, "data");
  const dataSize = lastCopySize();
  const metadataCopy = metadata === undefined
    ? metadataAt(timestamp)
    : validateMetadata(metadata, index, timestamp);
  const size = dataSize + (metadata === undefined ? timestamp.length + 16 : lastCopySize());
  if (size > maxSize) {
    throw new ValidationError(
      `messages[${index}]`,
      input,
      `data and metadata take ${size} characters of JSON, over the limit of ${maxSize} (the store's maxMessageSize option)`,
    );
  }
  return { id: checkedId, type, data: dataCopy, metadata: metadataCopy };
}

/** The keys a message to append may have. */
const MESSAGE_KEYS: readonly string[] = ["id", "type", "data", "metadata"];

// A key the store does not know would be dropped without a word: `metdata`
// would lose the correlation and causation ids for ever. A plain loop, as in
// checkKnownKeys, on every message; the error (and its path) only on a miss.
// A recorded message's own fields pass: appending one again (copying a stream
// or a store) is a use, and where it lands is the append's to say.
function checkMessageKeys(input: object, index: number): void {
  for (const key in input) {
    if (key === "type" || key === "data" || key === "id" || key === "metadata") continue;
    if (key === "streamName" || key === "streamVersion" || key === "globalPosition") continue;
    // This key alone: the whole message would name a recorded field first, were it there too.
    if (Object.hasOwn(input, key)) {
      const value = (input as Record<string, unknown>)[key];
      checkKnownKeys({ [key]: value }, MESSAGE_KEYS, `messages[${index}]`, "key");
    }
  }
}

// Message types repeat endlessly, so the ones already accepted are remembered
// (up to a bound, so that a stream of random types cannot grow it forever).
const knownTypes = new Set<string>();
const MAX_KNOWN_TYPES = 10_000;

// The type accepted last: most appends repeat it, and comparing with it costs
// less than a set lookup.
let lastType = "";

function isValidType(type: unknown): type is string {
  if (typeof type !== "string") return false;
  if (type === lastType) return true;
  if (knownTypes.has(type)) {
    lastType = type;
    return true;
  }
  if (
    type.length === 0 || type.length > MAX_TYPE_LENGTH || !MESSAGE_TYPE.test(type) ||
    !type.isWellFormed()
  ) return false;
  if (knownTypes.size < MAX_KNOWN_TYPES) knownTypes.add(type);
  lastType = type;
  return true;
}

// Messages without metadata share one frozen `{ timestamp }` per timestamp:
// appends come many to a millisecond, and it is immutable.
let bareMetadata: Message["metadata"] = Object.freeze({ timestamp: "" });

function metadataAt(timestamp: string): Message["metadata"] {
  if (bareMetadata.timestamp !== timestamp) bareMetadata = Object.freeze({ timestamp });
  return bareMetadata;
}

/**
 * Checks a message's metadata: a plain object whose named fields have their
 * types (`correlationId`, `causationId` and `timestamp` non-empty strings, the
 * timestamp a date, `schemaVersion` a whole number from 1); the other fields
 * are the writer's. The path is `<owner>.metadata`, or
 * `<owner>[<index>].metadata` with an index, built only for an error.
 *
 * @throws {ValidationError} at the metadata or the named field that is wrong
 * @example
 * ```ts
 * import { checkMetadata } from "./validate_append.ts";
 * checkMetadata({ correlationId: "c-1", tenant: "acme" }, "command"); // returned as given
 * ```
 */
export function checkMetadata(metadata: unknown, owner: string, index?: number): MessageMetadata {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError(metadataPath(owner, index), metadata, "must be a plain object");
  }
  const m = metadata as MessageMetadata;
  for (const field of ["correlationId", "causationId", "timestamp"] as const) {
    const value = m[field];
    if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
      throw new ValidationError(
        metadataPath(owner, index, field),
        value,
        (value as unknown) instanceof Date
          ? "must be an ISO 8601 string, not a Date: pass date.toISOString()"
          : "must be a non-empty string",
      );
    }
  }
  if (m.timestamp !== undefined && Number.isNaN(Date.parse(m.timestamp))) {
    throw new ValidationError(
      metadataPath(owner, index, "timestamp"),
      m.timestamp,
      "must be an ISO 8601 date and time",
    );
  }
  if (
    m.schemaVersion !== undefined && (!Number.isSafeInteger(m.schemaVersion) || m.schemaVersion < 1)
  ) {
    throw new ValidationError(
      metadataPath(owner, index, "schemaVersion"),
      m.schemaVersion,
      "a schema version is a whole number from 1",
    );
  }
  return m;
}

// A function, not a closure in checkMetadata: appends with metadata pay for no path until one fails.
function metadataPath(owner: string, index: number | undefined, field?: string): string {
  const base = `${index === undefined ? owner : `${owner}[${index}]`}.metadata`;
  return field === undefined ? base : `${base}.${field}`;
}

/**
 * Checks a message id: a UUID, returned lowercased so that ids compare equal
 * whatever case the writer used.
 *
 * @example
 * ```ts
 * import { validateId } from "./validate_append.ts";
 * validateId("7A0C6F1E-0F6B-4A8E-9A51-1F1D0C1E2B3A"); // "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a"
 * ```
 */
export function validateId(id: unknown, path = "id"): string {
  const checked = typeof id === "string" ? normalizeUuid(id) : undefined;
  if (checked === undefined) {
    throw new ValidationError(path, id, "a message id is a UUID such as crypto.randomUUID() gives");
  }
  return checked;
}

// Checks and copies metadata the writer gave; its size is then in lastCopySize().
function validateMetadata(
  metadata: unknown,
  index: number,
  timestamp: string,
): Message["metadata"] {
  const m = checkMetadata(metadata, "messages", index);
  const source = m.timestamp === undefined ? { ...m, timestamp } : m;
  return copyJsonAt(source, "messages", index, "metadata") as Message["metadata"];
}
