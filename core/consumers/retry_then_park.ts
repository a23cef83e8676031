/**
 * One message through a handler outside the consumer engine (the transports'
 * event groups, command handlers and NATS deliveries): attempts with backoff
 * as the retry policy says, then parked with its last error. Every such
 * deliverer used to write this loop itself, and they drifted: one retried a
 * `ValidationError` that the others parked at once. The loop is here once;
 * what differs between them (where a parked message goes, what a stop means
 * to the caller) is theirs, through the options and the outcome.
 *
 * @module
 */

import { sleep } from "../_sleep.ts";
import { ValidationError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { type CheckedRetryPolicy, deliveryRetries } from "./backoff.ts";
import { type LoggedMessage, logHandlerFailure, logParked } from "./delivery_log.ts";

/** What {@link retryThenPark} needs for one message. */
export interface RetryThenParkOptions<T> {
  /** The group (or transport's handler group) the line of each failure and of the park names. */
  readonly group: string;
  /** The message delivered, as the log lines name it. */
  readonly message: LoggedMessage;
  /** How failed attempts are retried; asked afresh for this message (a rule may keep state for it). */
  readonly retry: CheckedRetryPolicy;
  /** Where each failed attempt, a failed retry rule and the park are logged. */
  readonly logger: Logger;
  /** Aborting it during a wait between attempts ends the delivery (`"stopped"`) without another attempt. */
  readonly signal?: AbortSignal;
  /** Runs the handler once (1 for the first attempt); a throw or rejection is a failed attempt. */
  readonly attempt: (attempt: number) => Promise<T>;
  /**
   * Told of each failed attempt's error, after its line is logged, and of a
   * retry rule that failed. A throw from it ends the delivery with that
   * throw, so a caller whose loop must go on catches it first.
   */
  readonly onError: (error: unknown) => void;
  /** Stores and reports the message given up on, after its `Message parked` line. */
  readonly park: (error: unknown, attempts: number) => void | Promise<void>;
  /** The first attempt already ran (on the caller's fast path) and failed with this error: retrying starts from it. */
  readonly firstFailure?: { readonly error: unknown };
}

/** How {@link retryThenPark} ended; `error` is the last attempt's. */
export type RetryThenParkOutcome<T> =
  | { readonly outcome: "handled"; readonly value: T }
  | { readonly outcome: "parked"; readonly error: unknown; readonly attempts: number }
  | { readonly outcome: "stopped"; readonly error: unknown };

/**
 * Delivers one message until its handler succeeds, it is parked, or the
 * signal stops a wait between attempts. Each failed attempt logs
 * `Handler failed` and is told to `onError`; then the policy is asked for the
 * wait. A `ValidationError` is parked at once: input the handler's contract
 * refuses is refused on every attempt. A retry rule that throws or answers
 * no delay logs `Retry rule failed; parking the message`, is told to
 * `onError`, and the message is parked: a broken rule never stalls the
 * delivery. A parked message logs `Message parked`, then goes to `park`.
 *
 * @throws what `park` or `onError` throws; a handler's error is never thrown, it is in the outcome
 * @example
 * ```ts
 * import { silentLogger } from "../logger.ts";
 * import { checkRetryPolicy } from "./backoff.ts";
 * import { retryThenPark } from "./retry_then_park.ts";
 * let calls = 0;
 * const delivery = await retryThenPark({
 *   group: "billing",
 *   message: { id: "m-1", type: "OrderPlaced" },
 *   retry: checkRetryPolicy({ maxAttempts: 3, initialDelay: 1 }),
 *   logger: silentLogger,
 *   attempt: async () => {
 *     if (++calls === 1) throw new RangeError("no stock yet");
 *     return "billed";
 *   },
 *   onError: () => {},
 *   park: () => {},
 * });
 * console.log(delivery); // { outcome: "handled", value: "billed" }, at the second attempt
 * ```
 */
export async function retryThenPark<T>(
  options: RetryThenParkOptions<T>,
): Promise<RetryThenParkOutcome<T>> {
  const { group, message, logger, signal, onError } = options;
  const nextDelay = deliveryRetries(options.retry, (ruleError) => {
    logger.error("Retry rule failed; parking the message", {
      group,
      messageId: message.id,
      error: ruleError,
    });
    onError(ruleError);
  });
  let failure = options.firstFailure;
  for (let attempt = 1;; attempt++) {
    if (failure === undefined) {
      try {
        return { outcome: "handled", value: await options.attempt(attempt) };
      } catch (error) {
        failure = { error };
      }
    }
    const { error } = failure;
    failure = undefined;
    logHandlerFailure(logger, { group }, message, attempt, error);
    onError(error);
    const delay = error instanceof ValidationError ? undefined : await nextDelay(attempt, error);
    if (delay === undefined) {
      logParked(logger, { group }, message, attempt, error);
      await options.park(error, attempt);
      return { outcome: "parked", error, attempts: attempt };
    }
    await sleep(delay, signal);
    // Checked after the wait, not from its answer: a stop that came as the timer fired still stops.
    if (signal?.aborted) return { outcome: "stopped", error };
  }
}
