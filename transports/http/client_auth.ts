/**
 * How the HTTP client proves who it is: the same three shapes the server
 * takes, one credential each. Required: `{ none: true }` says so explicitly.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";
import { type HmacSecret, importHmacKey, signHttpRequest } from "./hmac_signature.ts";

/** How the client authenticates: a bearer token, an HMAC secret, or nothing (said explicitly). */
export type HttpClientAuth =
  | { readonly bearer: string }
  | { readonly hmac: { readonly secret: HmacSecret } }
  | { readonly none: true };

/** Adds the auth headers of one request, given its method, URL and exact body bytes. */
export type RequestSigner = (method: string, url: string, body: Uint8Array | undefined) => Record<string, string> | Promise<Record<string, string>>;

const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Checks a client `auth` option and returns what adds its headers.
 *
 * @throws {ValidationError} when `auth` is missing or malformed
 */
export function createRequestSigner(auth: unknown, path = "options.auth"): RequestSigner {
  if (typeof auth !== "object" || auth === null) {
    throw new ValidationError(path, auth, 'is required: { bearer: "token" }, { hmac: { secret } }, or { none: true }');
  }
  const a = auth as Record<string, unknown>;
  const kinds = ["bearer", "hmac", "none"].filter((k) => a[k] !== undefined);
  if (kinds.length !== 1) throw new ValidationError(path, auth, 'expected exactly one of "bearer", "hmac" or "none"');
  if (a.none !== undefined) {
    if (a.none !== true) throw new ValidationError(`${path}.none`, a.none, "must be true");
    return () => NONE;
  }
  if (a.bearer !== undefined) {
    if (typeof a.bearer !== "string" || a.bearer.length === 0 || /\s/.test(a.bearer)) {
      throw new ValidationError(`${path}.bearer`, a.bearer, "must be a non-empty string without whitespace");
    }
    const headers = Object.freeze({ authorization: `Bearer ${a.bearer}` });
    return () => headers;
  }
  const secret = (a.hmac as { secret?: unknown } | null)?.secret;
  if (!((typeof secret === "string" && secret.length > 0) || (secret instanceof Uint8Array && secret.byteLength > 0))) {
    throw new ValidationError(`${path}.hmac.secret`, secret, "must be a non-empty string or Uint8Array");
  }
  let key: Promise<CryptoKey> | undefined;
  return async (method, url, body) => {
    key ??= importHmacKey(secret);
    return await signHttpRequest({ method, url, body }, await key);
  };
}
