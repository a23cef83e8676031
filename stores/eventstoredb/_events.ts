/**
 * Small helpers over what the EventStoreDB client returns: a read collected
 * into an array, an event's ordo position, and the ordo messages among events.
 *
 * @module
 */

import type { RecordedEvent } from "@eventstore/db-client";
import type { RecordedMessage } from "../../core/mod.ts";
import { toRecordedMessage } from "./event_mapping.ts";
import { toGlobalPosition } from "./global_position.ts";
import type { StreamNaming } from "./stream_names.ts";

/** Every item of a client read, in order. */
export async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

/**
 * The ordo position of any $all event; `undefined` for one ordo cannot number
 * (no position reported, or written in an explicit transaction), which is then skipped.
 */
export function positionOf(event: RecordedEvent): bigint | undefined {
  try {
    return toGlobalPosition(event.position);
  } catch {
    return undefined;
  }
}

/** The events that are this store's messages, as messages, in order. */
export function messagesOf(
  events: readonly (RecordedEvent | undefined)[],
  naming: StreamNaming,
): RecordedMessage[] {
  const messages: RecordedMessage[] = [];
  for (const event of events) {
    const message = event === undefined ? undefined : toRecordedMessage(event, naming);
    if (message !== undefined) messages.push(message);
  }
  return messages;
}
