/**
 * JSON for scripts: bigints (positions) as decimal strings, so that no
 * position loses precision in a reader's number type.
 *
 * @module
 */

/** `value` as JSON text, bigints as strings. */
export function toJsonText(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === "bigint" ? v.toString() : v),
    indent,
  );
}
