/**
 * The base of ordo's error family: the tags, the base class every error ordo
 * throws on purpose extends, and how values are rendered in messages.
 *
 * @module
 */

/** Tags of every error ordo throws; each has one HTTP status and one retryability (docs/decisions/errors.md). */
export type OrdoErrorTag =
  | "ValidationError"
  | "UnauthenticatedError"
  | "ForbiddenError"
  | "NotFoundError"
  | "ConcurrencyError"
  | "DuplicateMessageError"
  | "IdempotencyConflictError"
  | "ServerError"
  | "UnsupportedRuntimeError"
  | "PeerUnreachableError"
  | "StoreUnavailableError"
  | "CircuitOpenError"
  | "ClosedError"
  | "NotMigratedError"
  | "TimeoutError";

/**
 * Base class of every error ordo throws on purpose.
 *
 * @example
 * ```ts
 * import { OrdoError } from "./ordo_error.ts";
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

/**
 * Renders a value for an error message: strings quoted, the rest by kind, long text cut.
 *
 * @example
 * ```ts
 * import { describeValue } from "./ordo_error.ts";
 * describeValue("order-1"); // '"order-1"'
 * describeValue(10n); // "10n"
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
