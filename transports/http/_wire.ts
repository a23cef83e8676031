// JSON on the wire, both ways: bigints (global positions) travel as decimal
// strings, and a refusal that is not an ordo error's own status (401, 404,
// 405, 413) carries its status.

import { ValidationError } from "../../core/mod.ts";
import { errorBody } from "./error_mapping.ts";
import type { Answer } from "./_exchange.ts";

const decoder = new TextDecoder();

/** Default largest request body, in bytes: 1 MiB, the memory store's largest message. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A request refused with a status of its own; the body is the error's JSON. */
export class HttpRefusal {
  constructor(
    readonly status: number,
    readonly error: ValidationError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

/** JSON text of `value`, bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, bigintsAsStrings) ?? "null";
}

function bigintsAsStrings(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json; charset=utf-8",
});

/** A JSON answer. */
export function jsonAnswer(
  status: number,
  value: unknown,
  headers?: Readonly<Record<string, string>>,
): Answer {
  return {
    status,
    headers: headers === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...headers },
    body: toJson(value),
  };
}

/** The answer of a refusal. */
export function refusalAnswer(refusal: HttpRefusal): Answer {
  return jsonAnswer(refusal.status, errorBody(refusal.error), refusal.headers);
}

/** Parses a JSON request body; `undefined` for an empty one. @throws {ValidationError} at path `body` */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  const text = decoder.decode(bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError("body", text, `is not JSON: ${(error as Error).message}`);
  }
}

/** A decimal bigint from the wire; `undefined` when absent. */
export function bigintField(value: unknown, path: string): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && /^-?\d{1,40}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValidationError(path, value, "expected a decimal integer string");
}
