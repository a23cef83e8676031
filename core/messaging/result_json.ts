// A handler's result as it leaves the process: JSON, the same on every
// transport that carries it (HTTP answers, the store-backed transport's
// replies, NATS outcomes and answers). In-process results are passed by
// reference and never come here.
//
// Two conversions are made, because every ordo wire makes them: `undefined`
// is `null` (a handler that returns nothing), and a bigint is its decimal
// string (positions are bigints, and JSON has no exact form for them; a
// handler returning an append's receipt must not fail for it). Anything else
// that JSON would change or drop (a Map becomes {}, a Date a string, a class
// instance loses its prototype, a cycle throws) is refused with the store's
// own check, naming where in the result it is and whose result it was: the
// caller would otherwise get a value the handler never returned.

import { ValidationError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { copyJsonValue, type JsonValue, MAX_JSON_DEPTH } from "../json.ts";

/**
 * The JSON a handler's `result` travels as: bigints as decimal strings,
 * `undefined` as `null`, the rest checked and copied as message data is.
 * `operation` names the call (`query "orders/show"`) in a refusal.
 *
 * @throws {ValidationError} at `result…` for a value JSON would change: a Map, Set, Date or class instance, a function, a symbol, a non-finite number, a cycle
 * @example
 * ```ts
 * import { resultAsJson } from "./result_json.ts";
 * resultAsJson({ globalPosition: 41n }, 'sendAndWait "orders/place"'); // { globalPosition: "41" }
 * ```
 */
export function resultAsJson(result: unknown, operation: string): JsonValue {
  const value = result === undefined ? null : result;
  try {
    return copyJsonValue(value, "result");
  } catch (error) {
    if (!(error instanceof ValidationError) || typeof error.value !== "bigint") {
      throw notJson(error, operation);
    }
  }
  try {
    return copyJsonValue(bigintsAsStrings(value, []), "result");
  } catch (error) {
    throw notJson(error, operation);
  }
}

/**
 * {@link resultAsJson} where the handler ran: a result JSON cannot carry is
 * the handler's fault, so the refusal is also logged there ("Handler result is
 * not JSON", with `fields` naming the call or message, by default the
 * operation) before it is thrown for the caller.
 *
 * @throws {ValidationError} as {@link resultAsJson} does, after logging it
 */
export function reportedResultAsJson(
  result: unknown,
  operation: string,
  logger: Logger,
  fields?: Readonly<Record<string, unknown>>,
): JsonValue {
  try {
    return resultAsJson(result, operation);
  } catch (error) {
    logger.error("Handler result is not JSON", { ...(fields ?? { operation }), error });
    throw error;
  }
}

function notJson(error: unknown, operation: string): unknown {
  if (!(error instanceof ValidationError)) return error;
  return new ValidationError(
    error.path,
    error.value,
    `${error.reason}; the result of ${operation} crosses the transport as JSON, ` +
      "so its handler must return a JSON value (bigints are sent as decimal strings)",
    { cause: error },
  );
}

// A copy with each bigint as its decimal string; what is not a plain array or
// object is kept as it is, for the JSON check to judge, and so is an object
// met again on its own path (a cycle, which the check then names).
function bigintsAsStrings(value: unknown, path: object[]): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null || path.includes(value)) return value;
  if (path.length >= MAX_JSON_DEPTH) return value;
  path.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => bigintsAsStrings(item, path));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key stays data, as JSON.parse keeps it.
      Object.defineProperty(copy, key, {
        value: bigintsAsStrings(item, path),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  } finally {
    path.pop();
  }
}
