/**
 * A recorded message as one line for people, and as plain JSON for scripts.
 *
 * @module
 */

import type { RecordedMessage } from "../core/mod.ts";
import { shortTime } from "./_table.ts";

/** `@12 order-1 v2 OrderShipped 2026-01-02 03:04:05Z {"data":…}` */
export function messageLine(message: RecordedMessage): string {
  const at = typeof message.metadata.timestamp === "string"
    ? shortTime(message.metadata.timestamp)
    : "-";
  return `@${message.globalPosition} ${message.streamName} v${message.streamVersion} ${message.type} ${at} ${
    JSON.stringify(message.data)
  }\n`;
}
