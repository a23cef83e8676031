// One message through its handler: attempts with backoff as the retry policy
// says, then parked with its last error. A stop during a wait between
// attempts ends the delivery without parking: the message comes again.
import {
  abortableSleep as sleep,
  type CheckedRetryPolicy,
  deliveryRetries,
  type Logger,
  logHandlerFailure,
  logParked,
  type ParkedMessage,
  type RecordedMessage,
  storedError,
  ValidationError,
} from "../../core/mod.ts";

/** What one delivery needs. */
export interface DeliveryOptions {
  readonly group: string;
  readonly message: RecordedMessage;
  readonly retry: CheckedRetryPolicy;
  readonly signal: AbortSignal;
  /** Runs the handler once; throwing asks for another attempt. */
  readonly attempt: (attempt: number) => Promise<void>;
  /** Stores and reports a message given up on. */
  readonly park: (entry: ParkedMessage) => Promise<void>;
  readonly onError: (error: unknown) => void;
  /** Told of each failed attempt and of the message parked, beside `onError`. */
  readonly logger: Logger;
}

/**
 * Delivers until the handler succeeds or the message is parked.
 *
 * @throws the stop signal's reason when stopped between attempts
 */
export async function deliverWithRetries(o: DeliveryOptions): Promise<void> {
  const nextDelay = deliveryRetries(o.retry, o.onError);
  for (let attempt = 1;; attempt++) {
    try {
      await o.attempt(attempt);
      return;
    } catch (error) {
      logHandlerFailure(o.logger, { group: o.group }, o.message, attempt, error);
      o.onError(error);
      // Input the handler's contract refuses is refused on every attempt: park it at once.
      const delay = error instanceof ValidationError ? undefined : await nextDelay(attempt, error);
      if (delay === undefined) {
        logParked(o.logger, { group: o.group }, o.message, attempt, error);
        await o.park({
          group: o.group,
          partition: 0,
          message: o.message,
          error: storedError(error),
          attempts: attempt,
          parkedAt: new Date().toISOString(),
        });
        return;
      }
      await sleep(delay, o.signal);
      if (o.signal.aborted) throw o.signal.reason;
    }
  }
}
