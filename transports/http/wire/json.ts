/**
 * JSON on the wire, both ways: bigints (global positions) travel as decimal
 * strings, since JSON numbers lose precision past 2^53 and `JSON.stringify`
 * refuses bigints outright.
 *
 * @module
 */

import { ValidationError } from "../../../core/mod.ts";

/**
 * JSON text of `value`, bigints as decimal strings; `"null"` for a value JSON has no text for.
 *
 * @example
 * ```ts
 * import { toJson } from "./json.ts";
 * toJson({ globalPosition: 41n }); // '{"globalPosition":"41"}'
 * ```
 */
export function toJson(value: unknown): string {
  // Without a replacer first: with one, the engine calls back into JS for every
  // value of every answer. Only a bigint (a TypeError) needs the second pass.
  try {
    return JSON.stringify(value) ?? "null";
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintsAsStrings) ?? "null";
  }
}

function bigintsAsStrings(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * A decimal bigint from the wire; `undefined` when absent.
 *
 * @throws {ValidationError} at `path` when the value is neither a decimal integer string nor a safe integer
 * @example
 * ```ts
 * import { bigintField } from "./json.ts";
 * bigintField("41", "receipt.globalPosition"); // 41n
 * ```
 */
export function bigintField(value: unknown, path: string): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && /^-?\d{1,40}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValidationError(path, value, "expected a decimal integer string");
}
