/**
 * A stored message as a handler receives it, for transports that deliver
 * from the event store (store-backed, and the HTTP event stream); and a
 * received event its group gave up on, as a parked entry.
 *
 * @module
 */

import { storedError } from "../consumers/mod.ts";
import type { ParkedMessage } from "../consumers/mod.ts";
import type { RecordedMessage } from "../message.ts";
import type { ReceivedMessage } from "./transport.ts";

/**
 * The handler's view of a stored message: its id, type, data and metadata,
 * and where it was stored.
 *
 * @example
 * ```ts
 * import { receivedFromStore } from "./received.ts";
 * const received = receivedFromStore({ id: "6f1c…", type: "orders/placed", data: {}, metadata: { timestamp: "2024-05-01T12:00:00.000Z" }, streamName: "orders-1", streamVersion: 0, globalPosition: 7n });
 * console.log(received.globalPosition); // 7n
 * ```
 */
export function receivedFromStore(message: RecordedMessage): ReceivedMessage {
  return {
    id: message.id,
    type: message.type,
    data: message.data,
    metadata: message.metadata,
    streamName: message.streamName,
    globalPosition: message.globalPosition,
  };
}

/**
 * The parked entry for an event a group gave up on after `attempts`, for
 * transports whose groups have one partition (in-process, the HTTP event
 * stream). A received message carries no stream version, so it reads 0; a
 * missing stream name or position reads as empty and 0.
 *
 * @example
 * ```ts
 * import { parkedFromReceived } from "./received.ts";
 * const entry = parkedFromReceived("billing", { id: "6f1c…", type: "orders/placed", data: {}, metadata: {}, streamName: "orders-1", globalPosition: 7n }, new Error("down"), 3);
 * console.log(entry.error.message, entry.attempts); // "down" 3
 * ```
 */
export function parkedFromReceived(
  group: string,
  event: ReceivedMessage,
  error: unknown,
  attempts: number,
): ParkedMessage {
  return {
    group,
    partition: 0,
    message: {
      id: event.id,
      type: event.type,
      data: event.data as never,
      metadata: event.metadata as ParkedMessage["message"]["metadata"],
      streamName: event.streamName ?? "",
      streamVersion: 0,
      globalPosition: event.globalPosition ?? 0n,
    },
    error: storedError(error),
    attempts,
    parkedAt: new Date().toISOString(),
  };
}
