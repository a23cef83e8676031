/**
 * The error family every ordo entry point throws: one base class and a small
 * closed set of subclasses, each with a literal `_tag` so that both
 * `instanceof` and Effect's `catchTag` can tell them apart.
 *
 * Messages follow one style: sentence case, quoted values, a colon before the
 * detail, no closing period. Domain errors carry no HTTP status; transports
 * map `_tag` to their own codes.
 *
 * @module
 */

/** Tags of every error ordo throws; a transport can map each to a status. */
export type OrdoErrorTag =
  | "ConcurrencyError"
  | "ValidationError"
  | "DuplicateMessageError"
  | "StoreUnavailableError"
  | "TimeoutError"
  | "UnsupportedRuntimeError";

/**
 * Base class of every error ordo throws on purpose.
 *
 * @example
 * ```ts
 * import { OrdoError } from "./errors.ts";
 * try {
 *   // ...
 * } catch (error) {
 *   if (error instanceof OrdoError) console.log(error._tag);
 * }
 * ```
 */
export abstract class OrdoError extends Error {
  /** Which error this is, for `switch`, Effect's `catchTag` and a transport's status mapping. */
  abstract readonly _tag: OrdoErrorTag;

  /** `message` in the family's style; `name` becomes the subclass's name. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What the writer expected a stream's version to be, as given to append. */
export type ExpectedVersionDescription = number | "no-stream" | "exists" | "any";

/**
 * The stream moved since the writer read it: its version is not the one the
 * append expected. Retry by re-reading the stream and deciding again.
 *
 * @example
 * ```ts
 * import { ConcurrencyError } from "./errors.ts";
 * const error = new ConcurrencyError("order-1", 3, 5);
 * console.log(error.message);
 * // Cannot append to stream "order-1": expected version 3, current version is 5
 * ```
 */
export class ConcurrencyError extends OrdoError {
  /** Always `"ConcurrencyError"`. */
  readonly _tag = "ConcurrencyError" as const;

  /**
   * Refuses an append to `streamName` that expected `expectedVersion`.
   *
   * @param actualVersion the stream's version when the append was refused;
   *   `undefined` when the stream does not exist.
   */
  constructor(
    readonly streamName: string,
    readonly expectedVersion: ExpectedVersionDescription,
    readonly actualVersion: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot append to stream "${streamName}": expected ${describeExpected(expectedVersion)}, ${
        actualVersion === undefined
          ? "the stream does not exist"
          : `current version is ${actualVersion}`
      }`,
      options,
    );
  }
}

function describeExpected(expected: ExpectedVersionDescription): string {
  if (typeof expected === "number") return `version ${expected}`;
  if (expected === "no-stream") return "no stream";
  if (expected === "exists") return "an existing stream";
  return "any version";
}

/**
 * Input that ordo refuses, with the path of the offending field (`messages[2].data.total`)
 * and the value found there. Nothing was written when this is thrown.
 *
 * @example
 * ```ts
 * import { ValidationError } from "./errors.ts";
 * const error = new ValidationError("streamName", "", "must not be empty");
 * console.log(error.message); // Invalid streamName "": must not be empty
 * ```
 */
export class ValidationError extends OrdoError {
  /** Always `"ValidationError"`. */
  readonly _tag = "ValidationError" as const;

  /** `path` names the field as the caller wrote it, `reason` says what it must be. */
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid ${path} ${describeValue(value)}: ${reason}`, options);
  }
}

/**
 * A message id that is already stored somewhere the append cannot reuse it:
 * in another stream, or in a batch that only partly matches this one.
 * Ids are idempotency keys, so a different message under a known id is refused.
 *
 * @example
 * ```ts
 * import { DuplicateMessageError } from "./errors.ts";
 * const id = "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a";
 * const error = new DuplicateMessageError("order-2", id, "order-1", 0);
 * console.log(error.message);
 * ```
 */
export class DuplicateMessageError extends OrdoError {
  /** Always `"DuplicateMessageError"`. */
  readonly _tag = "DuplicateMessageError" as const;

  /** Refuses `messageId` in an append to `streamName`; the stored copy's stream and version follow. */
  constructor(
    readonly streamName: string,
    readonly messageId: string,
    readonly storedStreamName: string,
    readonly storedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot append to stream "${streamName}": message id "${messageId}" is already stored in stream "${storedStreamName}" at version ${storedVersion}${
        storedStreamName === streamName ? " by an append that does not match this one" : ""
      }`,
      options,
    );
  }
}

/**
 * The store could not be reached or failed while doing the work (connection
 * refused or dropped, server shutting down). The driver's error is in `cause`.
 * Whether the operation took effect is unknown: an append retried with the
 * same message ids is safe.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "./errors.ts";
 * const error = new StoreUnavailableError("append", "connection refused");
 * console.log(error.message); // Store unavailable during append: connection refused
 * ```
 */
export class StoreUnavailableError extends OrdoError {
  /** Always `"StoreUnavailableError"`. */
  readonly _tag = "StoreUnavailableError" as const;

  /** `operation` names the store call (`append`), `detail` the driver's message; pass its error as `cause`. */
  constructor(readonly operation: string, detail: string, options?: { cause?: unknown }) {
    super(`Store unavailable during ${operation}: ${detail}`, options);
  }
}

/**
 * An operation did not finish within its time limit.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./errors.ts";
 * const error = new TimeoutError("query \"orders/show\"", 5000);
 * console.log(error.message); // Timed out after 5000 ms: query "orders/show"
 * ```
 */
export class TimeoutError extends OrdoError {
  /** Always `"TimeoutError"`. */
  readonly _tag = "TimeoutError" as const;

  /** `operation` names what timed out (`query "orders/show"`); `timeoutMs` is the limit it had. */
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`Timed out after ${timeoutMs} ms: ${operation}`, options);
  }
}

/**
 * This runtime cannot run what was asked for safely, so ordo refuses when it
 * is created rather than failing later (a crash no code could catch). Not
 * retryable: run it on another runtime.
 *
 * @example
 * ```ts
 * import { UnsupportedRuntimeError } from "./errors.ts";
 * new UnsupportedRuntimeError("Deno 2.9.5", "an EventStoreDB client", "its node:http2 crashes on GOAWAY").message;
 * // "Cannot run an EventStoreDB client on Deno 2.9.5: its node:http2 crashes on GOAWAY"
 * ```
 */
export class UnsupportedRuntimeError extends OrdoError {
  /** Always `"UnsupportedRuntimeError"`. */
  readonly _tag = "UnsupportedRuntimeError" as const;

  /** `feature` cannot run on `runtime` (`Deno 2.9.5`) because of `reason`. */
  constructor(
    readonly runtime: string,
    readonly feature: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot run ${feature} on ${runtime}: ${reason}`, options);
  }
}

/**
 * Renders a value for an error message: strings quoted, the rest by kind, long text cut.
 *
 * @example
 * ```ts
 * import { describeValue } from "./errors.ts";
 * console.log(describeValue("order-1"), describeValue(3n), describeValue([1, 2])); // "order-1" 3n (an array of 2)
 * ```
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    case "bigint":
      return `${value}n`;
    case "function":
      return "(a function)";
    case "symbol":
      return `(${value.toString()})`;
    case "undefined":
      return "(undefined)";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return `(an array of ${value.length})`;
      return `(${value.constructor?.name ?? "an object"})`;
    default:
      return String(value);
  }
}
