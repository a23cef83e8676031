/**
 * The checks of option objects, in one place for every public entry: unknown
 * keys refused with the nearest valid one named (a typo such as
 * `{ expectVersion: 5 }` must not run unchecked in plain JavaScript), and one
 * helper per kind of value (a positive number, a count, a function, a
 * name). Each throws a `ValidationError` at the option's path.
 *
 * Checking keys costs one `for…in` over the object given; entries on hot
 * paths (append, the bus's calls) call it only when an options object is there.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";

/** The keys an options object may have: an array, or a set for long lists. */
export type KnownKeys = readonly string[] | ReadonlySet<string>;

/**
 * Refuses a key of `options` that is not in `allowed`, naming it and the
 * nearest valid key (`Invalid options.expectVersion 5: unknown option; did you
 * mean "expectedVersion"?`). Only own keys are judged; `undefined` values count
 * (a misspelt key is wrong whatever it holds). `noun` names what a key is in
 * the message, for objects that are not options (`"key"` of a message).
 *
 * @throws {ValidationError} at `<path>.<key>` for the first unknown key
 * @example
 * ```ts
 * import { checkKnownKeys } from "./options.ts";
 * checkKnownKeys({ expectedVersion: 3 }, ["expectedVersion", "awaitGlobalPosition"], "options");
 * try {
 *   checkKnownKeys({ expectVersion: 3 }, ["expectedVersion", "awaitGlobalPosition"], "options");
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // Invalid options.expectVersion 3: unknown option; did you mean "expectedVersion"?
 * }
 * ```
 */
export function checkKnownKeys(
  options: object,
  allowed: KnownKeys,
  path: string,
  noun = "option",
): void {
  // It runs on every call that passes options (an append, a bus query), so a
  // plain loop over the short list, with no closure: measured at about 15 ns
  // for a one-key object, against 30-50 ns for a closure over `includes`.
  const list = Array.isArray(allowed) ? allowed as readonly string[] : undefined;
  for (const key in options) {
    if (list === undefined ? (allowed as ReadonlySet<string>).has(key) : listed(list, key)) {
      continue;
    }
    if (Object.hasOwn(options, key)) {
      throw unknownOption(options as Record<string, unknown>, key, allowed, path, noun);
    }
  }
}

function listed(list: readonly string[], key: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === key) return true;
  return false;
}

// Option names of the toolkits ordo's users come from (EventStoreDB's client,
// Emmett, Message DB), lowercased, and ordo's name for the same thing.
const ALIASES: Readonly<Record<string, string>> = {
  maxcount: "limit",
  count: "limit",
  take: "limit",
  fromposition: "from",
  fromrevision: "from",
  fromversion: "from",
  // Where a consumer starts: EventStoreDB's persistent subscriptions and Emmett's processors.
  startfrom: "from",
  expectedrevision: "expectedVersion",
  expectedstreamversion: "expectedVersion",
  // A message's fields under EventStoreDB's and other toolkits' names.
  eventtype: "type",
  eventid: "id",
  messageid: "id",
  payload: "data",
  meta: "metadata",
  // Circuit breakers: opossum's and cockatiel's names, and the bare word.
  threshold: "failureThreshold",
  treshold: "failureThreshold",
  resettimeout: "coolDown",
  halfopenafter: "coolDown",
};

function unknownOption(
  options: Record<string, unknown>,
  key: string,
  allowed: KnownKeys,
  path: string,
  noun: string,
): ValidationError {
  const candidates = [...allowed];
  const alias = ALIASES[key.toLowerCase()];
  // A name another toolkit uses for the same thing first; then a near miss,
  // not any key at all (maxCount is no misspelt "from", nor from a misspelt
  // "group": three edits rewrite most of a short key).
  const nearest = alias !== undefined && candidates.includes(alias)
    ? alias
    : nearestKey(key, candidates, Math.max(2, key.length / 2));
  return new ValidationError(
    `${path}.${key}`,
    options[key],
    nearest !== undefined
      ? `unknown ${noun}; did you mean "${nearest}"?`
      : `unknown ${noun}${knownOnes(candidates, noun)}`,
  );
}

// With no near miss, a short list says what is there (a client's `hmac`
// takes only `secret`); a long one would bury the message, so it is left out.
function knownOnes(candidates: readonly string[], noun: string): string {
  if (candidates.length === 0 || candidates.length > 6) return "";
  const quoted = candidates.map((c) => `"${c}"`);
  return candidates.length === 1
    ? `; the only ${noun} here is ${quoted[0]}`
    : `; the ${noun}s here are ${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/**
 * The key of `candidates` closest to `key` by edit distance (case-insensitive,
 * the first of equals); `undefined` when there are none, or none within
 * `within` edits.
 *
 * @example
 * ```ts
 * import { nearestKey } from "./options.ts";
 * nearestKey("expectVersion", ["expectedVersion", "awaitGlobalPosition"]); // "expectedVersion"
 * nearestKey("bogus", ["json", "limit"], 2); // undefined
 * ```
 */
export function nearestKey(
  key: string,
  candidates: readonly string[],
  within = Infinity,
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = key.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= within ? best : undefined;
}

/**
 * Up to `count` names of `candidates` near `name`, nearest first (ties in
 * their order): within `max(2, name.length / 3)` edits, case-insensitive, so
 * a misspelt `orders/shwo` finds `orders/show` and `bogus/x` finds nothing.
 * For "did you mean" hints on names, where the key check's one nearest key
 * would hide a second that is as likely.
 *
 * @example
 * ```ts
 * import { nearbyNames } from "./options.ts";
 * nearbyNames("orders/shwo", ["orders/show", "orders/list", "users/show"]); // ["orders/show"]
 * ```
 */
export function nearbyNames(
  name: string,
  candidates: Iterable<string>,
  count = 3,
): string[] {
  const within = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const near: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= within) near.push({ candidate, distance });
  }
  return near.sort((x, y) => x.distance - y.distance).slice(0, count).map((n) => n.candidate);
}

/**
 * Levenshtein distance between `a` and `b` (case-sensitive): the edits that
 * turn one into the other.
 *
 * @example
 * ```ts
 * import { editDistance } from "./options.ts";
 * editDistance("order-12", "order-21"); // 2
 * ```
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * An options object: `{}` when absent, else checked to be an object with only
 * the `allowed` keys, and returned.
 *
 * @throws {ValidationError} at `path` when it is not an object, or at `<path>.<key>` for an unknown key
 * @example
 * ```ts
 * import { checkOptions } from "./options.ts";
 * checkOptions({ batchSize: 10 }, ["batchSize"], "options").batchSize; // 10
 * ```
 */
export function checkOptions(
  options: unknown,
  allowed: KnownKeys,
  path = "options",
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValidationError(path, options, "expected an options object");
  }
  checkKnownKeys(options, allowed, path);
  return options as Record<string, unknown>;
}

/**
 * An integer from 1 to `max`, or `fallback` when absent (required when there is no fallback).
 *
 * @example
 * ```ts
 * import { checkCount } from "./options.ts";
 * checkCount(undefined, "options.batchSize", 100); // 100
 * ```
 */
export function checkCount(
  value: unknown,
  path: string,
  fallback?: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(
      path,
      value,
      max === Number.MAX_SAFE_INTEGER
        ? "must be an integer of at least 1"
        : `must be an integer from 1 to ${max}`,
    );
  }
  return value;
}

/**
 * A positive, finite number, or `fallback` when absent (required when there
 * is no fallback); `unit` (`"milliseconds"`) is named in the message when given.
 *
 * @example
 * ```ts
 * import { checkPositiveNumber } from "./options.ts";
 * checkPositiveNumber(250, "options.heartbeat", 15_000, "milliseconds"); // 250
 * ```
 */
export function checkPositiveNumber(
  value: unknown,
  path: string,
  fallback?: number,
  unit?: string,
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    const what = unit === undefined ? "a positive number" : `a positive number of ${unit}`;
    throw new ValidationError(path, value, `must be ${what}`);
  }
  return value;
}

/**
 * A time limit in milliseconds: positive, `Infinity` for none; `fallback` when absent.
 *
 * @example
 * ```ts
 * import { checkTimeout } from "./options.ts";
 * checkTimeout(Infinity, "options.timeout", 10_000); // Infinity
 * ```
 */
export function checkTimeout(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new ValidationError(
      path,
      value,
      "must be a positive number of milliseconds (Infinity for none)",
    );
  }
  return value;
}

/**
 * A finite number of milliseconds, 0 or more; `fallback` when absent.
 *
 * @example
 * ```ts
 * import { checkDelay } from "./options.ts";
 * checkDelay(0, "options.coolDown", 10_000); // 0
 * ```
 */
export function checkDelay(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(path, value, "must be a finite number of milliseconds, 0 or more");
  }
  return value;
}

/**
 * A function.
 *
 * @example
 * ```ts
 * import { checkFunction } from "./options.ts";
 * checkFunction(() => {}, "options.handler");
 * ```
 */
export function checkFunction(value: unknown, path: string): void {
  if (typeof value !== "function") throw new ValidationError(path, value, "must be a function");
}

/**
 * A function, or nothing.
 *
 * @example
 * ```ts
 * import { checkOptionalFunction } from "./options.ts";
 * checkOptionalFunction(undefined, "options.onError");
 * ```
 */
export function checkOptionalFunction(value: unknown, path: string): void {
  if (value !== undefined) checkFunction(value, path);
}

/**
 * A non-empty string, or `fallback` when absent.
 *
 * @example
 * ```ts
 * import { checkName } from "./options.ts";
 * checkName("m-1", "options.member", "generated"); // "m-1"
 * ```
 */
export function checkName(value: unknown, path: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) {
    throw new ValidationError(path, value, "must be a non-empty string");
  }
  return value;
}
