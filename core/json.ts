/**
 * JSON values as ordo stores them: checked, copied and frozen in one pass, so
 * a stored message can neither be changed later by the writer's object nor
 * differ from what a PostgreSQL `jsonb` column would give back.
 *
 * @module
 */

import { describeValue, ValidationError } from "./errors.ts";

/** A value that survives `JSON.stringify` then `JSON.parse` unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object: what message data and metadata are. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** Result of {@link copyJson}: the frozen copy and its size as JSON text. */
export interface JsonCopy {
  readonly value: JsonValue;
  /** Length of the value's JSON text in UTF-16 code units; close to its bytes for ASCII. */
  readonly size: number;
}

/**
 * Checks that `value` is plain JSON and returns a deep, frozen copy.
 *
 * Refused, with a {@link ValidationError} naming the path: bigint, function,
 * symbol, `undefined` (except as an object property, which JSON omits and so
 * does the copy), non-finite numbers, cycles, nesting deeper than
 * {@link MAX_JSON_DEPTH}, and objects that are not plain
 * (Date, Map, class instances), whose JSON form would not read back the same.
 * Cost: linear in the size of the value.
 *
 * @example
 * ```ts
 * import { copyJson } from "./json.ts";
 * const { value, size } = copyJson({ total: 3, items: ["a"] }, "data");
 * console.log(value, size); // { total: 3, items: ["a"] } 26
 * ```
 */
export function copyJson(value: unknown, path: string): JsonCopy {
  const copy = copyJsonValue(value, path);
  return { value: copy, size: SHARED.size };
}

/**
 * {@link copyJson} without the result object, for the append path where every
 * allocation counts: the size of the last copy is in {@link lastCopySize}.
 */
export function copyJsonValue(value: unknown, path: string): JsonValue {
  // One state object reused by every call: copying is synchronous and never
  // re-entered, and three allocations per appended message add up. A copy
  // that succeeds leaves `open` empty and `path` at its root; `refuse` resets
  // them after a failure (setting an array's length is slow, so not here).
  const state = SHARED;
  state.size = 0;
  state.path[0] = path;
  try {
    return copyValue(value, state);
  } catch (error) {
    // Also for errors `refuse` did not raise (a throwing getter): never leave stale state behind.
    state.open.length = 0;
    state.path.length = 1;
    throw error;
  }
}

/** Size, in JSON text characters, of the value {@link copyJsonValue} copied last. */
export function lastCopySize(): number {
  return SHARED.size;
}

interface CopyState {
  size: number;
  // Objects on the current path; one met again while still open is a cycle.
  readonly open: object[];
  // The current path: property names, and numbers for array indexes. Turned
  // into text only for an error: building a path string per value costs more
  // than the copy itself.
  readonly path: (string | number)[];
}

/**
 * Whether every store can keep this text: PostgreSQL's `text` and `jsonb`
 * refuse the NUL character and unpaired UTF-16 surrogates, so no store
 * accepts them, and a message that one store takes every store takes.
 */
export function isStorableText(text: string): boolean {
  return text.indexOf("\u0000") === -1 && text.isWellFormed();
}

const UNSTORABLE_TEXT = "text may not hold the NUL character or an unpaired surrogate";

const SHARED: CopyState = { size: 0, open: [], path: [""] };

function refuse(state: CopyState, value: unknown, reason: string): never {
  const [root, ...rest] = state.path;
  const path = rest.reduce<string>(
    (text, part) => typeof part === "number" ? `${text}[${part}]` : `${text}.${part}`,
    String(root),
  );
  throw new ValidationError(path, value, reason);
}

function copyValue(value: unknown, state: CopyState): JsonValue {
  switch (typeof value) {
    case "string":
      if (!isStorableText(value)) refuse(state, value, UNSTORABLE_TEXT);
      state.size += value.length + 2;
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        refuse(state, value, "numbers must be finite to be stored as JSON");
      }
      state.size += 8;
      return value;
    case "boolean":
      state.size += 5;
      return value;
    case "object":
      if (value === null) {
        state.size += 4;
        return null;
      }
      return Array.isArray(value) ? copyArray(value, state) : copyObject(value, state);
    default:
      return refuse(state, value, `a ${typeof value} is not a JSON value`);
  }
}

/** Deepest nesting of arrays and objects accepted in one value. */
export const MAX_JSON_DEPTH = 256;

function enter(value: object, state: CopyState): void {
  if (state.open.length >= MAX_JSON_DEPTH) {
    refuse(state, value, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (state.open.includes(value)) {
    refuse(state, value, "the value refers to itself (a cycle) and cannot be stored as JSON");
  }
  state.open.push(value);
}

function copyArray(value: readonly unknown[], state: CopyState): readonly JsonValue[] {
  enter(value, state);
  const copy: JsonValue[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    state.path.push(i);
    const item = value[i];
    if (item === undefined) refuse(state, item, "undefined in an array would become null in JSON");
    copy[i] = copyValue(item, state);
    state.path.pop();
  }
  state.size += value.length + 2;
  state.open.pop();
  return Object.freeze(copy);
}

function copyObject(value: object, state: CopyState): JsonObject {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    refuse(
      state,
      value,
      `a ${
        describeValue(value)
      } is not a plain object; convert it to JSON first (a Date to an ISO string, a Map to an object)`,
    );
  }
  enter(value, state);
  const copy: Record<string, JsonValue> = {};
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue; // JSON omits undefined properties; so does the copy
    state.path.push(key);
    if (!isStorableText(key)) refuse(state, key, `property names: ${UNSTORABLE_TEXT}`);
    const copied = copyValue(item, state);
    // `copy.__proto__ = x` would set the copy's prototype (data lost, and a
    // prototype chosen by whoever wrote the data); JSON.parse makes it an own
    // property, and so must the copy.
    if (key === "__proto__") {
      Object.defineProperty(copy, key, {
        value: copied,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else copy[key] = copied;
    state.path.pop();
    state.size += key.length + 4;
  }
  state.size += 2;
  state.open.pop();
  return Object.freeze(copy);
}
