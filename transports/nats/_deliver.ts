// One message through its handler with core's retryThenPark (attempts with
// backoff, then parked with its last error). What is NATS's own: the parked
// entry keeps the message as stored (its stream version too), and a stop
// during a wait between attempts throws, so the message is not acknowledged
// and comes again.
import {
  type CheckedRetryPolicy,
  type Logger,
  type ParkedMessage,
  type RecordedMessage,
  retryThenPark,
  storedError,
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
  const delivery = await retryThenPark({
    group: o.group,
    message: o.message,
    retry: o.retry,
    logger: o.logger,
    signal: o.signal,
    attempt: o.attempt,
    onError: o.onError,
    park: (error, attempts) =>
      o.park({
        group: o.group,
        partition: 0,
        message: o.message,
        error: storedError(error),
        attempts,
        parkedAt: new Date().toISOString(),
      }),
  });
  if (delivery.outcome === "stopped") throw o.signal.reason;
}
