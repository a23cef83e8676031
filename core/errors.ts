/**
 * The error family every ordo entry point throws. The classes live one
 * concept per file in `errors/`; this file names them, so that `core/errors.ts`
 * stays the one place the rest of the code imports them from.
 *
 * @module
 */

export {
  CircuitOpenError,
  ClosedError,
  ConcurrencyError,
  describeValue,
  DuplicateMessageError,
  type ErrorBody,
  errorBody,
  errorFromBody,
  type ExpectedVersionDescription,
  type ForbiddenAction,
  ForbiddenError,
  IdempotencyConflictError,
  isRetryable,
  NotFoundError,
  type NotFoundKind,
  NotMigratedError,
  OrdoError,
  type OrdoErrorTag,
  ordoTagOf,
  PeerUnreachableError,
  RETRYABLE_BY_TAG,
  ServerError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedRuntimeError,
  ValidationError,
} from "./errors/mod.ts";
