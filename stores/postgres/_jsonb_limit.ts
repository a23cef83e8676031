// PostgreSQL's jsonb size limit, which bounds what the store can take: the
// data and the metadata of a message are each one jsonb value, and an append
// of several messages is sent as one jsonb array. Measured on PostgreSQL 18
// (embedded) and PGlite: a 250 MiB ASCII string is stored; 260 MiB fails with
// 54000 "string too long to represent as jsonb string"; two strings of 130
// MiB in one object with "total size of jsonb object elements exceeds the
// maximum of 268435455 bytes"; 90 Mi characters of 3-byte text (270 MB) with
// the first. See docs/decisions/validation.md.

import { ValidationError } from "../../core/mod.ts";

/**
 * The most bytes one jsonb value holds, a string in it or all the elements of
 * one object or array: 2^28 - 1 (PostgreSQL's `JENTRY_OFFLENMASK`), 256 MiB
 * less one byte.
 */
export const JSONB_MAX_BYTES = 268_435_455;

/**
 * Refuses a `maxMessageSize` above what jsonb holds: a message that large
 * could never be stored, and would reach PostgreSQL only to fail there.
 */
export function checkJsonbMessageSize(maxMessageSize: number): void {
  if (maxMessageSize <= JSONB_MAX_BYTES) return;
  throw new ValidationError(
    "options.maxMessageSize",
    maxMessageSize,
    `PostgreSQL's jsonb holds at most ${JSONB_MAX_BYTES} bytes (256 MiB less one) in a message's data or metadata: give at most ${JSONB_MAX_BYTES}, and keep larger payloads outside the store (a file or object store, with its address in the message)`,
  );
}

/**
 * The UTF-8 length of JSON text as `JSON.stringify` writes it: every
 * surrogate in it is half of a pair (lone ones are escaped), 4 bytes a pair.
 */
function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) bytes += unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/**
 * Refuses, before anything is sent, an append whose JSON text is over
 * jsonb's limit in UTF-8 bytes: each of `texts` becomes one jsonb value (a
 * message's data or metadata; an append's array of messages). PGlite would
 * answer it with "out of memory" (SQLSTATE 53200), which also comes from
 * memory pressure and so cannot be told apart after the fact; PostgreSQL
 * would be sent hundreds of MB only to refuse them. Text of up to a third of
 * the limit in UTF-16 units (89 Mi) cannot be over, so an ordinary message
 * costs one comparison. The text's bytes are jsonb's bound for strings,
 * within what escapes (`\n`: 2 bytes of text, 1 of jsonb) and jsonb's own
 * headers add; what this misses, the server's 54000 still catches
 * ({@link jsonbTooLarge}).
 *
 * @throws {ValidationError} at `messages`, naming the limit; nothing was written
 */
export function checkJsonbBytes(
  texts: readonly string[],
  messages: readonly unknown[],
  limit = JSONB_MAX_BYTES,
): void {
  for (const text of texts) {
    if (text.length * 3 <= limit) continue;
    const bytes = text.length > limit ? text.length : utf8Bytes(text);
    if (bytes > limit) {
      throw tooLarge(messages, `its JSON is ${bytes} bytes of UTF-8 in one jsonb value`, limit);
    }
  }
}

/**
 * PostgreSQL's refusal of a jsonb value too large (SQLSTATE 54000) as a
 * `ValidationError` at `messages`, or `undefined` for any other error. Below
 * the `maxMessageSize` bound it still happens: that bound counts characters
 * of JSON, jsonb counts bytes (3 for `€`), and an append of several messages
 * is one jsonb array, bounded as a whole. Nothing was written: the statement
 * failed. Most of these are refused before they are sent ({@link checkJsonbBytes}).
 */
export function jsonbTooLarge(error: unknown, messages: readonly unknown[]): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "54000" || typeof message !== "string" || !message.includes("jsonb")) {
    return undefined;
  }
  return tooLarge(messages, `PostgreSQL refused it: ${message}`, JSONB_MAX_BYTES, error);
}

function tooLarge(
  messages: readonly unknown[],
  why: string,
  limit: number,
  cause?: unknown,
): ValidationError {
  return new ValidationError(
    "messages",
    messages,
    `the append is too large for PostgreSQL's jsonb (${why}): a message's data or metadata, and all the messages of one append together, hold at most ${limit} bytes of jsonb (UTF-8; 3 bytes for a character such as "€"). Nothing was written; split the append, or keep large payloads outside the store`,
    cause === undefined ? undefined : { cause },
  );
}
