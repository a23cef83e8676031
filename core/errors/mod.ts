/**
 * @module
 * The error family every ordo entry point throws: one base class and a closed
 * set of subclasses, each with a literal `_tag` so that both `instanceof` and
 * Effect's `catchTag` can tell them apart, and its data as fields (never to be
 * parsed back out of the message). Which tags are retryable is decided in
 * one table here (`retryable.ts`); HTTP statuses in one table of the HTTP
 * transport. docs/decisions/errors.md lists both.
 *
 * Messages follow one style: sentence case, quoted values, a colon before the
 * detail, no closing period.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { isRetryable, TimeoutError } from "./mod.ts";
 * const error = new TimeoutError('query "orders/show"', 5000);
 * console.log(error._tag, isRetryable(error)); // TimeoutError true
 * ```
 */

export { describeValue, OrdoError, type OrdoErrorTag } from "./ordo_error.ts";
export {
  IdempotencyConflictError,
  NotFoundError,
  type NotFoundKind,
  ValidationError,
} from "./refusals.ts";
export { type ForbiddenAction, ForbiddenError, UnauthenticatedError } from "./access.ts";
export {
  ConcurrencyError,
  DuplicateMessageError,
  type ExpectedVersionDescription,
  NotMigratedError,
  StoreUnavailableError,
} from "./store.ts";
export { CircuitOpenError, PeerUnreachableError, ServerError, TimeoutError } from "./calls.ts";
export { ClosedError, UnsupportedRuntimeError } from "./lifecycle.ts";
export { isRetryable, ordoTagOf, RETRYABLE_BY_TAG } from "./retryable.ts";
export { type ErrorBody, errorBody, errorFromBody } from "./error_bodies.ts";
