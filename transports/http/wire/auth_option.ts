/**
 * The `auth` option both ends take, checked the same way on both: an object
 * with exactly one of `bearer`, `hmac` or `none`, `none` only as `true`, and
 * an HMAC secret that is non-empty text or bytes. Each end then reads the
 * credential its own way (the server accepts several; the client sends one).
 *
 * @module
 */

import { checkKnownKeys, ValidationError } from "../../../core/mod.ts";
import type { HmacSecret } from "./hmac_signature.ts";

/** The shape an `auth` option chose, with its credential still unchecked. */
export type AuthChoice =
  | { readonly kind: "none" }
  | { readonly kind: "bearer"; readonly credential: unknown }
  | { readonly kind: "hmac"; readonly credential: unknown };

/**
 * Picks the shape of `auth` at `path`; `shapes` lists them for the message
 * when `auth` is missing; `keys` are the keys `auth` may have.
 *
 * @throws {ValidationError} when `auth` is not an object, has an unknown key,
 *   none or several of the shapes, or `none` is not `true`
 *
 * @example
 * ```ts
 * import { chooseAuth } from "./auth_option.ts";
 * chooseAuth({ bearer: "t0ken" }, "options.auth", "{ bearer }"); // { kind: "bearer", credential: "t0ken" }
 * ```
 */
export function chooseAuth(
  auth: unknown,
  path: string,
  shapes: string,
  keys: readonly string[] = ["bearer", "hmac", "none"],
): AuthChoice {
  if (typeof auth !== "object" || auth === null) {
    throw new ValidationError(path, auth, `is required: ${shapes}`);
  }
  checkKnownKeys(auth, keys, path);
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

/**
 * Checks one HMAC secret at `path`.
 *
 * @throws {ValidationError} when the secret is neither a non-empty string nor a non-empty Uint8Array
 * @example
 * ```ts
 * import { checkHmacSecret } from "./auth_option.ts";
 * checkHmacSecret("s3cret", "options.auth.hmac.secret"); // "s3cret"
 * ```
 */
export function checkHmacSecret(secret: unknown, path: string): HmacSecret {
  const ok = (typeof secret === "string" && secret.length > 0) ||
    (secret instanceof Uint8Array && secret.byteLength > 0);
  if (!ok) throw new ValidationError(path, secret, "must be a non-empty string or Uint8Array");
  return secret as HmacSecret;
}
