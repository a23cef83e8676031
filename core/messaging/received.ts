/**
 * A stored message as a handler receives it, for transports that deliver
 * from the event store (store-backed, and the HTTP event stream).
 *
 * @module
 */

import type { RecordedMessage } from "../message.ts";
import type { ReceivedMessage } from "./transport.ts";

/**
 * The handler's view of a stored message: its id, type, data and metadata,
 * and where it was stored.
 *
 * @example
 * ```ts
 * import { receivedFromStore } from "./received.ts";
 * const received = receivedFromStore({ id: "6f1c…", type: "orders/placed", data: {}, metadata: {}, streamName: "orders-1", streamVersion: 0, globalPosition: 7n });
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
