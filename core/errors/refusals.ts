/**
 * Refusals of what a caller asked for: input that is wrong, a command or
 * query nobody serves, and a message id reused for different content. None
 * is retryable: the same call gets the same answer.
 *
 * @module
 */

import { describeValue, OrdoError } from "./ordo_error.ts";

/**
 * Input that ordo refuses, with the path of the offending field (`messages[2].data.total`)
 * and the value found there. Nothing was written when this is thrown.
 *
 * @example
 * ```ts
 * import { ValidationError } from "./refusals.ts";
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

/** What a {@link NotFoundError} could not find (a parked message, for operators' tools). */
export type NotFoundKind =
  | "command"
  | "query"
  | "route"
  | "message"
  | "parked message"
  | "stream";

/**
 * No one serves what was asked for: a query with no handler, a command the
 * server does not serve, a path that is no route.
 *
 * @example
 * ```ts
 * import { NotFoundError } from "./refusals.ts";
 * const error = new NotFoundError("query", "orders/nope", "no handler is registered for it");
 * console.log(error.message); // Cannot find query "orders/nope": no handler is registered for it
 * ```
 */
export class NotFoundError extends OrdoError {
  /** Always `"NotFoundError"`. */
  readonly _tag = "NotFoundError" as const;

  /** `kind` says what was looked for (a command, a query, a route), `target` its name, `reason` why it is not there. */
  constructor(
    readonly kind: NotFoundKind,
    /** The name (or path) that was asked for. */
    readonly target: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot find ${kind} ${describeValue(target)}: ${reason}`, options);
  }
}

/**
 * A command id that was already used for a command with another type or other
 * data. Ids are idempotency keys: a repeat with the same content gets the
 * first answer, a repeat with different content is refused, since answering
 * it with the first command's outcome would be a lie. Content is compared as
 * canonical JSON of `type` and `data` (metadata and key are not compared).
 *
 * @example
 * ```ts
 * import { IdempotencyConflictError } from "./refusals.ts";
 * const error = new IdempotencyConflictError("7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a", "orders/place");
 * console.log(error.message);
 * // Cannot accept command "orders/place": id "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a" was already used for a command with another type or other data
 * ```
 */
export class IdempotencyConflictError extends OrdoError {
  /** Always `"IdempotencyConflictError"`. */
  readonly _tag = "IdempotencyConflictError" as const;

  /** Refuses the command `messageId` of type `messageType`, whose id was used before for other content. */
  constructor(
    readonly messageId: string,
    /** The type of the command refused (the one sent second). */
    readonly messageType: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot accept command ${describeValue(messageType)}: id ${
        describeValue(messageId)
      } was already used for a command with another type or other data`,
      options,
    );
  }
}
