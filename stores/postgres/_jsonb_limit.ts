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
 * PostgreSQL's refusal of a jsonb value too large (SQLSTATE 54000) as a
 * `ValidationError` at `messages`, or `undefined` for any other error. Below
 * the `maxMessageSize` bound it still happens: that bound counts characters
 * of JSON, jsonb counts bytes (3 for `€`), and an append of several messages
 * is one jsonb array, bounded as a whole. Nothing was written: the statement failed.
 */
export function jsonbTooLarge(error: unknown, messages: readonly unknown[]): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "54000" || typeof message !== "string" || !message.includes("jsonb")) {
    return undefined;
  }
  return new ValidationError(
    "messages",
    messages,
    `PostgreSQL refused the append (${message}): a message's data or metadata, and all the messages of one append together, hold at most ${JSONB_MAX_BYTES} bytes of jsonb (UTF-8; 3 bytes for a character such as "€"). Nothing was written; split the append, or keep large payloads outside the store`,
    { cause: error },
  );
}
