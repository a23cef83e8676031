/**
 * ordo's error family on the wire. The server gives each `_tag` its HTTP
 * status and writes the error as a JSON body holding the tag, the message and
 * the error's own fields; the client reads that body back into the same class,
 * so `instanceof`, `_tag` and the fields survive the trip. Domain errors carry
 * no status themselves (STYLE.md): this table is the only place one is chosen.
 *
 * | `_tag` | status |
 * |---|---|
 * | `ValidationError` | 400 (404 for an unknown query or command name) |
 * | `ConcurrencyError`, `DuplicateMessageError` | 409 |
 * | `StoreUnavailableError` | 503, with `Retry-After` when a circuit breaker is open |
 * | `TimeoutError` | 504 |
 * | `UnsupportedRuntimeError` | 501 (the server's runtime cannot do what was asked) |
 * | any other error (a handler's own) | 500, body `{ name, message }` |
 *
 * @module
 */

import {
  ConcurrencyError,
  DuplicateMessageError,
  type ExpectedVersionDescription,
  type OrdoError,
  type OrdoErrorTag,
  StoreUnavailableError,
  TimeoutError,
  UnsupportedRuntimeError,
  ValidationError,
} from "../../../core/mod.ts";
import { isCircuitOpenError } from "../../../core/messaging/mod.ts";

/** The HTTP status of each ordo error tag. */
export const STATUS_BY_TAG: Readonly<Record<OrdoErrorTag, number>> = Object.freeze({
  ValidationError: 400,
  ConcurrencyError: 409,
  DuplicateMessageError: 409,
  StoreUnavailableError: 503,
  TimeoutError: 504,
  UnsupportedRuntimeError: 501,
});

/** An error as it travels: an ordo error's tag and fields, or a handler error's name and message. */
export interface ErrorBody {
  /** The ordo error's tag; absent for a handler's own error. */
  readonly _tag?: OrdoErrorTag;
  /** The error class's name (`ConcurrencyError`, `RangeError`). */
  readonly name: string;
  /** The message exactly as the server's error had it. */
  readonly message: string;
  /** The fields the ordo error's class declares (`streamName`, `timeoutMs`, …). */
  readonly [field: string]: unknown;
}

/**
 * The status an error is answered with.
 *
 * @example
 * ```ts
 * import { ConcurrencyError } from "../../../core/mod.ts";
 * import { statusOf } from "./error_mapping.ts";
 * statusOf(new ConcurrencyError("order-1", 3, 5)); // 409
 * statusOf(new RangeError("no stock")); // 500
 * ```
 */
export function statusOf(error: unknown): number {
  const tag = tagOf(error);
  return tag === undefined ? 500 : STATUS_BY_TAG[tag];
}

/**
 * The JSON body of an error: tag, name, message and the fields its class
 * declares. A `ValidationError`'s `value` is included only when it is a short
 * string, a number, a boolean or null (an object is described in the message
 * instead, so a refused payload is never echoed back whole).
 *
 * @example
 * ```ts
 * import { TimeoutError } from "../../../core/mod.ts";
 * import { errorBody } from "./error_mapping.ts";
 * errorBody(new TimeoutError("query", 50)); // { _tag: "TimeoutError", name: "TimeoutError", message: "Timed out after 50 ms: query", operation: "query", timeoutMs: 50 }
 * ```
 */
export function errorBody(error: unknown): ErrorBody {
  if (error instanceof ValidationError) {
    return withCommon(error, {
      path: error.path,
      reason: error.reason,
      ...(isShortScalar(error.value) ? { value: error.value } : {}),
    });
  }
  if (error instanceof ConcurrencyError) {
    return withCommon(error, {
      streamName: error.streamName,
      expectedVersion: error.expectedVersion,
      actualVersion: error.actualVersion ?? null,
    });
  }
  if (error instanceof DuplicateMessageError) {
    return withCommon(error, {
      streamName: error.streamName,
      messageId: error.messageId,
      storedStreamName: error.storedStreamName,
      storedVersion: error.storedVersion,
    });
  }
  if (error instanceof StoreUnavailableError) {
    const retryAfter = circuitRetryAfter(error);
    return withCommon(error, {
      operation: error.operation,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
  if (error instanceof TimeoutError) {
    return withCommon(error, { operation: error.operation, timeoutMs: error.timeoutMs });
  }
  if (error instanceof UnsupportedRuntimeError) {
    return withCommon(error, { runtime: error.runtime, feature: error.feature });
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/**
 * Milliseconds until an open circuit breaker lets a trial through, for a
 * `StoreUnavailableError` that an open breaker raised; `undefined` otherwise.
 * The breaker's error states the delay only in its message
 * (`core/messaging/retry.ts`), so it is read from there.
 */
export function circuitRetryAfter(error: unknown): number | undefined {
  if (!isCircuitOpenError(error)) return undefined;
  const found = /next trial in (\d+) ms/.exec((error as Error).message);
  return found === null ? undefined : Number(found[1]);
}

/**
 * Rebuilds an error from its body: the ordo class named by `_tag` with its
 * fields and the server's exact message, or, for a body without a tag, an
 * `Error` carrying the handler error's `name` and `message`. `undefined` when
 * the body is not an error body.
 *
 * @example
 * ```ts
 * import { ConcurrencyError } from "../../../core/mod.ts";
 * import { errorBody, errorFromBody } from "./error_mapping.ts";
 * const back = errorFromBody(JSON.parse(JSON.stringify(errorBody(new ConcurrencyError("order-1", 3, 5)))));
 * back instanceof ConcurrencyError; // true
 * ```
 */
export function errorFromBody(body: unknown): Error | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.message !== "string") return undefined;
  const rebuilt = rebuild(b);
  if (rebuilt !== undefined) {
    rebuilt.message = b.message;
    return rebuilt;
  }
  if (b._tag !== undefined || typeof b.name !== "string") return undefined;
  const error = new Error(b.message);
  error.name = b.name;
  return error;
}

function rebuild(b: Record<string, unknown>): OrdoError | undefined {
  switch (b._tag) {
    case "ValidationError":
      return new ValidationError(text(b.path), b.value, text(b.reason));
    case "ConcurrencyError":
      return new ConcurrencyError(
        text(b.streamName),
        b.expectedVersion as ExpectedVersionDescription,
        typeof b.actualVersion === "number" ? b.actualVersion : undefined,
      );
    case "DuplicateMessageError":
      return new DuplicateMessageError(
        text(b.streamName),
        text(b.messageId),
        text(b.storedStreamName),
        Number(b.storedVersion),
      );
    case "StoreUnavailableError":
      return new StoreUnavailableError(text(b.operation), "");
    case "TimeoutError":
      return new TimeoutError(text(b.operation), Number(b.timeoutMs));
    case "UnsupportedRuntimeError":
      return new UnsupportedRuntimeError(text(b.runtime), text(b.feature), "");
    default:
      return undefined;
  }
}

function tagOf(error: unknown): OrdoErrorTag | undefined {
  const tag = (error as { _tag?: unknown } | null)?._tag;
  return typeof tag === "string" && Object.hasOwn(STATUS_BY_TAG, tag) && error instanceof Error
    ? tag as OrdoErrorTag
    : undefined;
}

function withCommon(error: OrdoError, fields: Record<string, unknown>): ErrorBody {
  return { _tag: error._tag, name: error.name, message: error.message, ...fields };
}

function isShortScalar(value: unknown): boolean {
  return value === null || typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value)) ||
    (typeof value === "string" && value.length <= 200);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}
