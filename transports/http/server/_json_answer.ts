// The handler's JSON answers: a success, a refusal with its own status, or
// an error answered with the status of its `_tag` (see wire/error_mapping.ts).

import { circuitRetryAfter, errorBody, statusOf, toJson } from "../wire/mod.ts";
import type { Answer } from "./_incoming_call.ts";
import type { HttpRefusal } from "./_refusals.ts";

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json; charset=utf-8",
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

/** The answer of an error a call threw; an open circuit breaker's adds `Retry-After` in seconds. */
export function errorAnswer(error: unknown): Answer {
  const retryAfter = circuitRetryAfter(error);
  const headers = retryAfter === undefined
    ? undefined
    : { "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
  return jsonAnswer(statusOf(error), errorBody(error), headers);
}
