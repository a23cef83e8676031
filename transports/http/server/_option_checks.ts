// The checks of the server's options (createHttpHandler's and its `auth`),
// one function per kind of value, each throwing a ValidationError at the
// option's path. Kept in this one file so that a later codebase-wide set of
// option checks can replace it in one place.

import { ValidationError } from "../../../core/mod.ts";
import { serviceOf } from "../../../core/messaging/mod.ts";

/**
 * A positive, finite number, or `fallback` when absent; `unit` ("milliseconds")
 * is named in the message when given.
 */
export function positiveNumber(
  value: unknown,
  path: string,
  fallback: number,
  unit?: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    const what = unit === undefined ? "a positive number" : `a positive number of ${unit}`;
    throw new ValidationError(path, value, `must be ${what}`);
  }
  return value;
}

/** A path prefix such as `/ordo` without its trailing slashes; `""` for none. */
export function basePath(value: unknown): string {
  if (value === undefined || value === "" || value === "/") return "";
  if (typeof value !== "string" || !value.startsWith("/") || /[?#\s]/.test(value)) {
    throw new ValidationError("options.basePath", value, 'expected a path such as "/ordo"');
  }
  return value.replace(/\/+$/, "");
}

/** A list of message names as a set; `undefined` when absent (every name allowed). */
export function allowList(names: unknown, path: string): ReadonlySet<string> | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) {
    throw new ValidationError(path, names, "expected an array of message names");
  }
  names.forEach((name, i) => serviceOf(name, `${path}[${i}]`));
  return new Set(names);
}
