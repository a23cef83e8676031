// The checks of the server's options that only the HTTP handler has (a base
// path, lists of message names); the rest are core's (core/options.ts).

import { ValidationError } from "../../../core/mod.ts";
import { serviceOf } from "../../../core/messaging/mod.ts";

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
