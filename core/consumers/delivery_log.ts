/**
 * The log lines every deliverer of messages writes (consumers, group
 * members, the transports' event groups and subscriptions), so that a
 * handler failure or a parked message reads the same wherever it happened:
 * one line each, with the group, the message and the error as fields.
 *
 * @module
 */

import type { Logger } from "../logger.ts";

/** The message a line is about: enough to find it in the store. */
export interface LoggedMessage {
  /** The message id. */
  readonly id: string;
  /** Its type (`OrderPlaced`, `orders/placed`). */
  readonly type: string;
  /** Its stream, when it was stored. */
  readonly streamName?: string;
}

/** Where a delivery happened: the group and, in a consumer group, the partition. */
export interface DeliverySite {
  /** The consumer group (or a transport's group of handlers). */
  readonly group: string;
  /** A consumer group member's name; absent elsewhere. */
  readonly member?: string;
  /** The partition of a consumer group; absent elsewhere. */
  readonly partition?: number;
}

/**
 * Logs a handler that threw, at level `error`: `Handler failed` with the
 * group, the message, the attempt (1 for the first) and the error.
 *
 * @example
 * ```ts
 * import { createConsoleLogger } from "../logger.ts";
 * import { logHandlerFailure } from "./delivery_log.ts";
 * const logger = createConsoleLogger({ write: (line) => console.log(line) });
 * logHandlerFailure(logger, { group: "billing" }, { id: "m-1", type: "OrderPlaced", streamName: "order-1" }, 2, new RangeError("no stock"));
 * // ordo error: Handler failed group="billing" messageId="m-1" type="OrderPlaced" stream="order-1" attempt=2 error="RangeError: no stock"
 * ```
 */
export function logHandlerFailure(
  logger: Logger,
  site: DeliverySite,
  message: LoggedMessage,
  attempt: number,
  error: unknown,
): void {
  logger.error("Handler failed", {
    group: site.group,
    member: site.member,
    partition: site.partition,
    messageId: message.id,
    type: message.type,
    stream: message.streamName,
    attempt,
    error,
  });
}

/**
 * Logs a message given up on, at level `warn`: `Message parked` with the
 * group, the message, how many attempts it had and the last error.
 *
 * @example
 * ```ts
 * import { createConsoleLogger } from "../logger.ts";
 * import { logParked } from "./delivery_log.ts";
 * const logger = createConsoleLogger({ write: (line) => console.log(line) });
 * logParked(logger, { group: "billing" }, { id: "m-1", type: "OrderPlaced", streamName: "order-1" }, 5, new RangeError("no stock"));
 * // ordo warn: Message parked group="billing" messageId="m-1" type="OrderPlaced" stream="order-1" attempts=5 error="RangeError: no stock"
 * ```
 */
export function logParked(
  logger: Logger,
  site: DeliverySite,
  message: LoggedMessage,
  attempts: number,
  error: unknown,
): void {
  logger.warn("Message parked", {
    group: site.group,
    member: site.member,
    partition: site.partition,
    messageId: message.id,
    type: message.type,
    stream: message.streamName,
    attempts,
    error,
  });
}
