/**
 * The time stamped on appended messages. Formatting a Date as ISO 8601 costs
 * more than the rest of an in-memory append, and appends arrive many per
 * millisecond, so the text is made once per millisecond and reused.
 *
 * @module
 */

let lastMillis = Number.NaN;
let lastText = "";

/**
 * The current time as an ISO 8601 string, at millisecond precision.
 *
 * @example
 * ```ts
 * import { isoNow } from "./clock.ts";
 * console.log(isoNow()); // "2026-11-23T10:15:00.000Z"
 * ```
 */
export function isoNow(): string {
  const millis = Date.now();
  if (millis !== lastMillis) {
    lastMillis = millis;
    lastText = new Date(millis).toISOString();
  }
  return lastText;
}
