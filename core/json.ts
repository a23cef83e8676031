/**
 * JSON values as ordo stores them: checked, copied and frozen in one pass, so
 * a stored message can neither be changed later by the writer's object nor
 * differ from what a PostgreSQL `jsonb` column would give back.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";

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

/** Result of {@link copyJson}: the frozen copy and the estimated size of its JSON text. */
export interface JsonCopy {
  /** The deep, frozen copy. */
  readonly value: JsonValue;
  /**
   * Estimated length of the value's JSON text in UTF-16 code units, what
   * message size limits are checked against: exact for strings without
   * escapes, 8 for every number, close to the bytes for ASCII text.
   */
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
 * console.log(value, size); // { total: 3, items: ["a"] } 34
 * ```
 */
export function copyJson(value: unknown, path: string): JsonCopy {
  const copy = copyJsonValue(value, path);
  return { value: copy, size: lastSize };
}

/**
 * {@link copyJson} without the result object, for the append path where every
 * allocation counts: the size of the last copy is in {@link lastCopySize}.
 *
 * @throws {ValidationError} as {@link copyJson} does
 * @example
 * ```ts
 * import { copyJsonValue, lastCopySize } from "./json.ts";
 * const value = copyJsonValue({ total: 3 }, "data");
 * console.log(Object.isFrozen(value), lastCopySize()); // true 19
 * ```
 */
export function copyJsonValue(value: unknown, path: string): JsonValue {
  return copyRoot(value, path, -1, "");
}

/**
 * {@link copyJsonValue} for a field of one message in a batch: a refusal
 * names `root[index].field...`, and the path text is built only then, so
 * appending a message builds no path strings.
 */
export function copyJsonAt(value: unknown, root: string, index: number, field: string): JsonValue {
  return copyRoot(value, root, index, field);
}

/**
 * Estimated size of the JSON text of the value {@link copyJsonValue} copied
 * last (as {@link JsonCopy.size}). Read it before the next copy: every copy
 * overwrites it.
 *
 * @example
 * ```ts
 * import { copyJsonValue, lastCopySize } from "./json.ts";
 * copyJsonValue(["a", "b"], "data");
 * console.log(lastCopySize()); // 10
 * ```
 */
export function lastCopySize(): number {
  return lastSize;
}

/**
 * Whether every store can keep this text: PostgreSQL's `text` and `jsonb`
 * refuse the NUL character and unpaired UTF-16 surrogates, so no store
 * accepts them, and a message that one store takes every store takes.
 */
export function isStorableText(text: string): boolean {
  return text.indexOf("\u0000") === -1 && text.isWellFormed();
}

/** Deepest nesting of arrays and objects accepted in one value. */
export const MAX_JSON_DEPTH = 256;

const UNSTORABLE_TEXT = "text may not hold the NUL character or an unpaired surrogate";

// What a copy in progress keeps. The happy path does no bookkeeping per
// property: a path is only needed for an error, so a refusal is thrown as a
// Refusal and each level adds its key while it unwinds.
interface CopyState {
  size: number;
  depth: number;
  busy: boolean;
  // open[0..depth) are the objects on the current path; one met again while
  // still open is a cycle. Checked by a loop, not includes(): the path is short.
  readonly open: object[];
}

// One state reused by every copy: three allocations per appended message add
// up. A getter or proxy trap in the data can start another copy while one is
// running (by appending, say); that copy gets a state of its own.
const SHARED: CopyState = { size: 0, depth: 0, busy: false, open: [] };
let lastSize = 0;

class Refusal {
  // The keys and indexes from the refused value up to the root, innermost first.
  readonly keys: (string | number)[] = [];
  constructor(readonly value: unknown, readonly reason: string) {}
}

function copyRoot(value: unknown, root: string, index: number, field: string): JsonValue {
  const state = SHARED.busy ? { size: 0, depth: 0, busy: false, open: [] } : SHARED;
  state.busy = true;
  state.size = 0;
  try {
    const copy = copyValue(value, state);
    lastSize = state.size;
    return copy;
  } catch (error) {
    // Also for errors no Refusal raised (a throwing getter): never leave stale state behind.
    state.depth = 0;
    state.open.length = 0;
    if (!(error instanceof Refusal)) throw error;
    let path = index === -1 ? root : `${root}[${index}].${field}`;
    for (let i = error.keys.length - 1; i >= 0; i--) {
      const key = error.keys[i];
      path += typeof key === "number" ? `[${key}]` : `.${key}`;
    }
    throw new ValidationError(path, error.value, error.reason);
  } finally {
    state.busy = false;
  }
}

function copyValue(value: unknown, state: CopyState): JsonValue {
  switch (typeof value) {
    case "string":
      if (!isStorableText(value)) throw new Refusal(value, UNSTORABLE_TEXT);
      state.size += value.length + 2;
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new Refusal(value, "numbers must be finite to be stored as JSON");
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
      throw new Refusal(value, `a ${typeof value} is not a JSON value`);
  }
}

function enter(value: object, state: CopyState): void {
  const { open, depth } = state;
  if (depth >= MAX_JSON_DEPTH) {
    throw new Refusal(value, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  for (let i = 0; i < depth; i++) {
    if (open[i] === value) {
      throw new Refusal(value, "the value refers to itself (a cycle) and cannot be stored as JSON");
    }
  }
  open[depth] = value;
  state.depth = depth + 1;
}

// Leaves an object or array; the slot is cleared so the state holds no data.
function leave(state: CopyState): void {
  state.open[--state.depth] = EMPTY;
}

const EMPTY = Object.freeze({});

function copyArray(value: readonly unknown[], state: CopyState): readonly JsonValue[] {
  enter(value, state);
  const copy: JsonValue[] = new Array(value.length);
  let i = 0;
  try {
    for (; i < value.length; i++) {
      const item = value[i];
      if (item === undefined) {
        throw new Refusal(item, "undefined in an array would become null in JSON");
      }
      copy[i] = copyValue(item, state);
    }
  } catch (error) {
    if (error instanceof Refusal) error.keys.push(i);
    throw error;
  }
  state.size += value.length + 2;
  leave(state);
  return Object.freeze(copy);
}

function copyObject(value: object, state: CopyState): JsonObject {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    const kind = typeof name === "string" && name !== "" ? name : "class instance";
    // A toJSON of its own says the writer meant it to become JSON; JSON.stringify
    // would call it, but the copy keeps values as they are, so say what to pass.
    const hint =
      !(value instanceof Date) && typeof (value as { toJSON?: unknown }).toJSON === "function"
        ? "its toJSON() is not called here: pass value.toJSON() instead"
        : "convert it to JSON first (a Date to an ISO string, a Map to an object)";
    throw new Refusal(value, `a ${kind} is not a plain object; ${hint}`);
  }
  enter(value, state);
  const copy: Record<string, JsonValue> = {};
  let key = "";
  try {
    for (key in value) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue; // JSON omits undefined properties; so does the copy
      if (!isStorableText(key)) throw new Refusal(key, `property names: ${UNSTORABLE_TEXT}`);
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
      state.size += key.length + 4;
    }
  } catch (error) {
    if (error instanceof Refusal) error.keys.push(key);
    throw error;
  }
  state.size += 2;
  leave(state);
  return Object.freeze(copy);
}
