/**
 * Canonical JSON: the text `JSON.stringify` gives, with every object's keys
 * in sorted order (by UTF-16 code units) and no whitespace, so two values
 * with the same JSON content have the same text whatever order their keys
 * were written in. ordo compares the content of a reused command id this way
 * (`type` and `data`; see {@link sameContent}).
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import { MAX_JSON_DEPTH } from "./json.ts";

/**
 * The canonical JSON text of `value`: `JSON.stringify`'s rules (`toJSON`
 * applied, `undefined`, functions and symbols left out of objects and `null`
 * in arrays, non-finite numbers `null`), keys sorted. `"null"` for a value JSON
 * has no text for.
 *
 * @throws {ValidationError} for a bigint, or nesting deeper than `MAX_JSON_DEPTH` (a cycle)
 * @example
 * ```ts
 * import { canonicalJson } from "./canonical_json.ts";
 * canonicalJson({ b: 1, a: [true, undefined] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0, false) ?? "null";
}

/**
 * Whether two values have the same content as canonical JSON. Unlike
 * {@link canonicalJson} it also compares bigints (by value), since in-process
 * data need not be JSON; a value it cannot render (a cycle) equals only itself.
 *
 * @example
 * ```ts
 * import { sameContent } from "./canonical_json.ts";
 * sameContent({ order: "A1", total: 3 }, { total: 3, order: "A1" }); // true
 * sameContent({ order: "A1" }, { order: "A2" }); // false
 * ```
 */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return (write(a, 0, true) ?? "null") === (write(b, 0, true) ?? "null");
  } catch {
    return false;
  }
}

function write(value: unknown, depth: number, bigints: boolean): string | undefined {
  if (depth > MAX_JSON_DEPTH) {
    throw new ValidationError("value", value, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (typeof value === "object" && value !== null) {
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === "function") value = toJson.call(value);
  }
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return String(value);
    case "bigint":
      // Rendered as no JSON value is, so it equals only the same bigint.
      if (bigints) return `${value}n`;
      throw new ValidationError("value", value, "a bigint has no JSON text");
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) {
        return `[${value.map((item) => write(item, depth + 1, bigints) ?? "null").join(",")}]`;
      }
      return writeObject(value as Record<string, unknown>, depth, bigints);
    default:
      return undefined; // undefined, a function, a symbol
  }
}

function writeObject(value: Record<string, unknown>, depth: number, bigints: boolean): string {
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = write(value[key], depth + 1, bigints);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}
