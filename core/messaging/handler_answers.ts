/**
 * A handler's own error is an answer, not a failure of the call: the other
 * side was reached and its handler said no. A handler whose downstream call
 * timed out throws a `TimeoutError`, which core's table calls retryable; if
 * the caller's bus took it for its own call timing out, it would run the
 * handler again (three times per call by default) and count it against its
 * circuit breaker, so two such answers would shut the bus for a cool-down.
 * Transports mark the errors their handlers threw, where they have them (the
 * in-process lanes and query registry, a store-backed reply, a NATS outcome,
 * an HTTP answer whose body says so), and the call guard neither retries a
 * marked error nor counts it against the breaker.
 *
 * A mark is kept beside the error (a WeakSet), never on it: the error object
 * is the handler's, and its shape stays as it threw it.
 *
 * @module
 */

const ANSWERS = new WeakSet<object>();

/**
 * Marks `error` as what a handler threw, and returns it (for `throw asHandlerAnswer(e)`).
 *
 * @example
 * ```ts
 * import { TimeoutError } from "../errors.ts";
 * import { asHandlerAnswer, isHandlerAnswer } from "./handler_answers.ts";
 * const error = asHandlerAnswer(new TimeoutError("read stock", 100));
 * isHandlerAnswer(error); // true
 * ```
 */
export function asHandlerAnswer<E>(error: E): E {
  if (typeof error === "object" && error !== null) ANSWERS.add(error);
  return error;
}

/** Whether `error` was marked as a handler's answer by {@link asHandlerAnswer}. */
export function isHandlerAnswer(error: unknown): boolean {
  return typeof error === "object" && error !== null && ANSWERS.has(error);
}
