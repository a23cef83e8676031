/**
 * Events on the wire: the Server-Sent Events frames the server writes on
 * `GET /events/stream` and the client reads back. One frame per event,
 * `id:` = its global position (what the client sends back as
 * `Last-Event-ID`), `data:` = the event as JSON; an `event: ready` frame once
 * everything stored when the stream opened has been sent.
 *
 * @module
 */

import { PeerUnreachableError } from "../../../core/mod.ts";
import type { ReceivedMessage } from "../../../core/messaging/mod.ts";
import { bigintField, toJson } from "./json.ts";

/** The frame that says everything stored when the stream opened has been sent. */
export const READY_FRAME = "event: ready\ndata:\n\n";

/**
 * One SSE frame of an event; no `id:` when the transport gave the event no position.
 *
 * @example
 * ```ts
 * import { eventFrame } from "./event_frames.ts";
 * eventFrame({ id: "e-1", type: "orders/placed", data: {}, metadata: {}, streamName: "order-7", globalPosition: 41n });
 * // 'id: 41\ndata: {"id":"e-1",…,"globalPosition":"41"}\n\n'
 * ```
 */
export function eventFrame(event: ReceivedMessage): string {
  const data = toJson({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    streamName: event.streamName,
    globalPosition: event.globalPosition,
  });
  return event.globalPosition === undefined
    ? `data: ${data}\n\n`
    : `id: ${event.globalPosition}\ndata: ${data}\n\n`;
}

/**
 * An event frame's data back into a received message.
 *
 * @throws {PeerUnreachableError} naming `peer` when the frame does not hold an event (the server is not ordo's)
 * @example
 * ```ts
 * import { decodeEvent } from "./event_frames.ts";
 * decodeEvent('{"id":"e-1","type":"orders/placed","data":null,"globalPosition":"41"}').globalPosition; // 41n
 * ```
 */
export function decodeEvent(data: string, peer = "the event stream's server"): ReceivedMessage {
  let e: Record<string, unknown> | null;
  try {
    e = JSON.parse(data);
  } catch {
    e = null;
  }
  if (typeof e?.id !== "string" || typeof e.type !== "string") {
    throw new PeerUnreachableError(
      "event stream",
      peer,
      `the server sent a frame that is not an event: ${data.slice(0, 80)}`,
    );
  }
  return {
    id: e.id,
    type: e.type,
    data: e.data,
    metadata: (e.metadata ?? {}) as ReceivedMessage["metadata"],
    streamName: typeof e.streamName === "string" ? e.streamName : undefined,
    globalPosition: bigintField(e.globalPosition, "event.globalPosition"),
  };
}
