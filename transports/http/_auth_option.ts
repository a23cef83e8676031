/**
 * The one check both ends make of an `auth` option before reading its
 * credential: an object with exactly one of `bearer`, `hmac` or `none`, and
 * `none` only as `true`.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";

/** The shape an `auth` option chose, with its credential still unchecked. */
export type AuthChoice =
  | { readonly kind: "none" }
  | { readonly kind: "bearer"; readonly credential: unknown }
  | { readonly kind: "hmac"; readonly credential: unknown };

/**
 * Picks the shape of `auth` at `path`; `shapes` lists them for the message
 * when `auth` is missing.
 *
 * @throws {ValidationError} when `auth` is not an object, has none or several of the shapes, or `none` is not `true`
 *
 * @example
 * ```ts
 * import { chooseAuth } from "./_auth_option.ts";
 * chooseAuth({ bearer: "t0ken" }, "options.auth", "{ bearer }"); // { kind: "bearer", credential: "t0ken" }
 * ```
 */
export function chooseAuth(auth: unknown, path: string, shapes: string): AuthChoice {
  if (typeof auth !== "object" || auth === null) {
    throw new ValidationError(path, auth, `is required: ${shapes}`);
  }
  const a = auth as Record<string, unknown>;
  const kinds = ["bearer", "hmac", "none"].filter((k) => a[k] !== undefined);
  if (kinds.length !== 1) {
    throw new ValidationError(path, auth, 'expected exactly one of "bearer", "hmac" or "none"');
  }
  if (a.none !== undefined) {
    if (a.none !== true) throw new ValidationError(`${path}.none`, a.none, "must be true");
    return { kind: "none" };
  }
  return a.bearer !== undefined
    ? { kind: "bearer", credential: a.bearer }
    : { kind: "hmac", credential: a.hmac };
}
