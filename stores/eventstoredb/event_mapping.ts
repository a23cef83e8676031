/**
 * ordo messages as EventStoreDB events and back. A message becomes a JSON
 * event whose event id is the message id, whose type is the message type, and
 * whose metadata is ordo's metadata object as it is (correlationId,
 * causationId, timestamp, schemaVersion and the user's fields), so everything
 * round-trips through the event's JSON.
 *
 * @module
 */

import type { JSONEventData, RecordedEvent } from "@eventstore/db-client";
import type { JsonValue, Message, MessageMetadata, RecordedMessage } from "../../core/mod.ts";
import { toGlobalPosition } from "./global_position.ts";
import { fromEventStoreStream, type StreamNaming } from "./stream_names.ts";

/**
 * The event the client appends for a validated message.
 *
 * @example
 * ```ts
 * import { toEventData } from "./event_mapping.ts";
 * const event = toEventData({
 *   id: "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a",
 *   type: "OrderPlaced",
 *   data: { total: 3 },
 *   metadata: { timestamp: "2026-01-01T00:00:00.000Z" },
 * });
 * console.log(event.contentType); // "application/json"
 * ```
 */
export function toEventData(message: Message): JSONEventData {
  return {
    id: message.id,
    contentType: "application/json",
    type: message.type,
    // The client sends JSON.stringify(data): any JSON value works, though its type says object, array or string.
    data: message.data as JSONEventData["data"],
    metadata: message.metadata as JSONEventData["metadata"],
  };
}

/**
 * The ordo message an event read from EventStoreDB holds; `undefined` when it
 * is not one of this store's messages: outside its namespace, in a system or
 * index stream, of a system type (`$…`), or not JSON.
 *
 * @throws {Error} when the server reports no `$all` position for the event
 *   (stream reads on servers before 22.6)
 * @example
 * ```ts
 * import { toRecordedMessage } from "./event_mapping.ts";
 * import { streamNaming } from "./stream_names.ts";
 * const message = toRecordedMessage({
 *   streamId: "order-1",
 *   id: "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a",
 *   isJson: true,
 *   revision: 0n,
 *   type: "OrderPlaced",
 *   created: new Date(0),
 *   data: { total: 3 },
 *   metadata: { correlationId: "c-1", timestamp: "2026-01-01T00:00:00.000Z" },
 *   position: { commit: 1024n, prepare: 1024n },
 * }, streamNaming(undefined));
 * console.log(message?.globalPosition); // 2049n
 * ```
 */
export function toRecordedMessage(
  event: RecordedEvent,
  naming: StreamNaming,
): RecordedMessage | undefined {
  if (!event.isJson || event.type.startsWith("$")) return undefined;
  const streamName = fromEventStoreStream(naming, event.streamId);
  if (streamName === undefined) return undefined;
  const globalPosition = toGlobalPosition(event.position);
  if (globalPosition === undefined) {
    throw new Error(
      `Cannot read event "${event.id}" of stream "${event.streamId}": the server reported no $all position for it (EventStoreDB 22.6 or later reports one)`,
    );
  }
  return Object.freeze({
    id: event.id.toLowerCase(),
    type: event.type,
    data: deepFreeze(event.data as JsonValue),
    metadata: toMetadata(event.metadata, event.created),
    streamName,
    streamVersion: Number(event.revision),
    globalPosition,
  });
}

/**
 * ordo metadata from an event's metadata: the object as stored, with the
 * event's creation time as `timestamp` when it has none (events not written by ordo).
 *
 * @example
 * ```ts
 * import { toMetadata } from "./event_mapping.ts";
 * toMetadata(undefined, new Date(0)); // { timestamp: "1970-01-01T00:00:00.000Z" }
 * ```
 */
export function toMetadata(metadata: unknown, created: Date): RecordedMessage["metadata"] {
  const isObject = typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) &&
    !(metadata instanceof Uint8Array);
  const fields = isObject ? metadata as MessageMetadata : {};
  const timestamp = typeof fields.timestamp === "string" ? fields.timestamp : created.toISOString();
  return deepFreeze({ ...fields, timestamp }) as RecordedMessage["metadata"];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
