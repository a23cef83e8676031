/**
 * ordo's error family and HTTP statuses, both ways: the one table that gives
 * each `_tag` its status (domain errors carry none, STYLE.md), and what a
 * client makes of a status that came without an ordo error body (a proxy's
 * 502, a server that is not ordo's). docs/decisions/errors.md lists the table
 * with each tag's retryability.
 *
 * | `_tag` | status |
 * |---|---|
 * | `ValidationError` | 400 (405 and 413 for a request's own form: wrong method, body over `maxBodyBytes`) |
 * | `UnauthenticatedError` | 401 + `WWW-Authenticate` |
 * | `ForbiddenError` | 403 |
 * | `NotFoundError` | 404 |
 * | `ConcurrencyError`, `DuplicateMessageError`, `IdempotencyConflictError` | 409 |
 * | `ServerError` (and any error that is not ordo's, answered as one) | 500 |
 * | `UnsupportedRuntimeError` | 501 |
 * | `PeerUnreachableError` | 502 |
 * | `StoreUnavailableError`, `ClosedError`, `NotMigratedError` | 503 |
 * | `CircuitOpenError` | 503 + `Retry-After` |
 * | `TimeoutError` | 504 |
 *
 * @module
 */

import {
  ForbiddenError,
  NotFoundError,
  type OrdoError,
  type OrdoErrorTag,
  ordoTagOf,
  PeerUnreachableError,
  ServerError,
  UnauthenticatedError,
  ValidationError,
} from "../../../core/mod.ts";

/** The HTTP status of each ordo error tag. */
export const STATUS_BY_TAG: Readonly<Record<OrdoErrorTag, number>> = Object.freeze({
  ValidationError: 400,
  UnauthenticatedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConcurrencyError: 409,
  DuplicateMessageError: 409,
  IdempotencyConflictError: 409,
  ServerError: 500,
  UnsupportedRuntimeError: 501,
  PeerUnreachableError: 502,
  StoreUnavailableError: 503,
  CircuitOpenError: 503,
  ClosedError: 503,
  NotMigratedError: 503,
  TimeoutError: 504,
});

/**
 * The status an error is answered with: its tag's, or 500 for an error that is not ordo's.
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
  const tag = ordoTagOf(error);
  return tag === undefined ? 500 : STATUS_BY_TAG[tag];
}

/**
 * Milliseconds until an open circuit breaker lets a trial through, from a
 * `CircuitOpenError`'s field; `undefined` for any other error.
 *
 * @example
 * ```ts
 * import { CircuitOpenError } from "../../../core/mod.ts";
 * import { retryAfterOf } from "./error_mapping.ts";
 * retryAfterOf(new CircuitOpenError("query", 2300)); // 2300
 * ```
 */
export function retryAfterOf(error: unknown): number | undefined {
  if (ordoTagOf(error) !== "CircuitOpenError") return undefined;
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  return typeof retryAfter === "number" && Number.isFinite(retryAfter) ? retryAfter : undefined;
}

/** The client call a response answered, as {@link errorFromStatus} names it. */
export interface AnsweredCall {
  /** Names the call in errors (`query "orders/show"`). */
  readonly operation: string;
  /** What the call asked to do, for a 403. */
  readonly action: "send" | "query" | "subscribe" | "publish";
  /** The command or query name, the selector, or the stream. */
  readonly target: string;
  /** The URL called. */
  readonly url: string;
}

/**
 * The error a status stands for when the answer carries no ordo error body
 * (a proxy in front of the server, or a server that is not ordo's): 401, 403
 * and 404 their tags; 502, 503 and 504 a `PeerUnreachableError` naming the
 * URL (retryable: the server behind the proxy was not reached); any other
 * 5xx a `ServerError` without an id; any other status a `ValidationError` at
 * `request`. `detail` is the start of the body, for the message.
 *
 * @example
 * ```ts
 * import { errorFromStatus } from "./error_mapping.ts";
 * const call = { operation: 'query "orders/show"', action: "query" as const, target: "orders/show", url: "http://orders/queries/orders/show" };
 * errorFromStatus(502, call, "Bad Gateway")._tag; // "PeerUnreachableError"
 * ```
 */
export function errorFromStatus(
  status: number,
  call: AnsweredCall,
  detail: string,
  challenge?: string | null,
): OrdoError {
  const said = `the server answered HTTP ${status}${detail === "" ? "" : `: ${detail}`}`;
  if (status === 401) {
    return new UnauthenticatedError(challenge?.split(" ", 1)[0] || "unknown", said);
  }
  if (status === 403) return new ForbiddenError(call.action, call.target, undefined);
  if (status === 404) return new NotFoundError("route", call.url, said);
  if (status === 502 || status === 503 || status === 504) {
    return new PeerUnreachableError(call.operation, call.url, said);
  }
  if (status >= 500) return new ServerError(call.operation, undefined);
  return new ValidationError("request", call.operation, `refused: ${said}`);
}
