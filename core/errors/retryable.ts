/**
 * Which failures are worth trying again, by tag: the one table of it in
 * ordo. A retryable failure says the other side could not be reached or did
 * not answer in time, so the same call may succeed later; every other tag is
 * an answer, and the same call would get it again. The bus's retries and its
 * circuit breaker act on retryable failures only. docs/decisions/errors.md
 * lists the table with each tag's HTTP status.
 *
 * @module
 */

import type { OrdoErrorTag } from "./ordo_error.ts";

/** Whether a failure with each tag may succeed when tried again. */
export const RETRYABLE_BY_TAG: Readonly<Record<OrdoErrorTag, boolean>> = Object.freeze({
  ValidationError: false,
  UnauthenticatedError: false,
  ForbiddenError: false,
  NotFoundError: false,
  ConcurrencyError: false,
  DuplicateMessageError: false,
  IdempotencyConflictError: false,
  ServerError: false,
  UnsupportedRuntimeError: false,
  PeerUnreachableError: true,
  StoreUnavailableError: true,
  CircuitOpenError: false,
  ClosedError: false,
  NotMigratedError: false,
  TimeoutError: true,
});

/**
 * The ordo tag of `error`, read from its `_tag` (so an error from another
 * copy of ordo counts too); `undefined` for anything that is not an ordo error.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./calls.ts";
 * import { ordoTagOf } from "./retryable.ts";
 * ordoTagOf(new TimeoutError("query", 10)); // "TimeoutError"
 * ordoTagOf(new RangeError("no stock")); // undefined
 * ```
 */
export function ordoTagOf(error: unknown): OrdoErrorTag | undefined {
  if (!(error instanceof Error)) return undefined;
  const tag = (error as { _tag?: unknown })._tag;
  return typeof tag === "string" && Object.hasOwn(RETRYABLE_BY_TAG, tag)
    ? tag as OrdoErrorTag
    : undefined;
}

/**
 * Whether a failed call may be tried again: true only for an ordo error whose
 * tag is retryable in {@link RETRYABLE_BY_TAG}; never for a handler's own error.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "./store.ts";
 * import { CircuitOpenError } from "./calls.ts";
 * import { isRetryable } from "./retryable.ts";
 * isRetryable(new StoreUnavailableError("append", "connection refused")); // true
 * isRetryable(new CircuitOpenError("query", 900)); // false
 * ```
 */
export function isRetryable(error: unknown): boolean {
  const tag = ordoTagOf(error);
  return tag !== undefined && RETRYABLE_BY_TAG[tag];
}
