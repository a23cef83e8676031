// The handler's JSON answers: a success, a refusal with its own status, an
// ordo error answered with the status of its `_tag` (wire/error_mapping.ts),
// and a failure that is not ordo's, answered as a ServerError that names only
// the error id under which it was logged.

import { ServerError } from "../../../core/mod.ts";
import { isHandlerAnswer } from "../../../core/messaging/mod.ts";
import { errorBody, retryAfterOf, statusOf, toJson } from "../wire/mod.ts";
import type { Answer } from "./_incoming_call.ts";
import type { HttpRefusal } from "./_refusals.ts";

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json; charset=utf-8",
});

const SHUTTING_DOWN_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "retry-after": "1",
});

/** A JSON answer, bigints as decimal strings. */
export function jsonAnswer(
  status: number,
  value: unknown,
  headers?: Readonly<Record<string, string>>,
): Answer {
  return {
    status,
    headers: headers === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...headers },
    body: toJson(value),
  };
}

/** The answer of a refusal. */
export function refusalAnswer(refusal: HttpRefusal): Answer {
  return jsonAnswer(refusal.status, errorBody(refusal.error), refusal.headers);
}

/**
 * The answer of an ordo error a call threw, `undefined` for any other error;
 * an open circuit breaker's adds `Retry-After` in seconds. A `ClosedError`
 * the handler or its inner transport raised (not a handler's own) means the
 * server is shutting down: 503 with `Retry-After: 1` and `shuttingDown: true`,
 * which the client reads as a peer it cannot use now, not as its own closed
 * transport.
 */
export function ordoErrorAnswer(error: unknown): Answer | undefined {
  const ordo = errorBody(error);
  if (ordo === undefined) return undefined;
  if (ordo._tag === "ClosedError" && !isHandlerAnswer(error)) {
    const body = {
      ...ordo,
      message: `${ordo.message}, as the server is shutting down`,
      shuttingDown: true,
    };
    return jsonAnswer(503, body, SHUTTING_DOWN_HEADERS);
  }
  // A handler's own error says so, so that the client's bus neither retries it nor counts it.
  const body = isHandlerAnswer(error) ? { ...ordo, answered: true } : ordo;
  const retryAfter = retryAfterOf(error);
  const headers = retryAfter === undefined
    ? undefined
    : { "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
  return jsonAnswer(statusOf(error), body, headers);
}

/** The 500 of a failure that is not ordo's: a generic message and the id it was logged under, never its own message. */
export function serverFailureAnswer(operation: string, errorId: string): Answer {
  return jsonAnswer(500, errorBody(new ServerError(operation, errorId)));
}
