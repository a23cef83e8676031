/**
 * How the HTTP client proves who it is: the same three shapes the server
 * takes, one credential each. Required: `{ none: true }` says so explicitly.
 *
 * @module
 */

import { checkKnownKeys, ValidationError } from "../../../core/mod.ts";
import {
  checkHmacSecret,
  chooseAuth,
  type HmacSecret,
  importHmacKey,
  signHttpRequest,
} from "../wire/mod.ts";

/** How the client authenticates: a bearer token, an HMAC secret, or nothing (said explicitly). */
export type HttpClientAuth =
  | { readonly bearer: string }
  | { readonly hmac: { readonly secret: HmacSecret } }
  | { readonly none: true };

/** Adds the auth headers of one request, given its method, URL and exact body bytes. */
export type RequestSigner = (
  method: string,
  url: string,
  body: Uint8Array | undefined,
) => Record<string, string> | Promise<Record<string, string>>;

const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Checks a client `auth` option and returns what adds its headers.
 *
 * @throws {ValidationError} when `auth` is missing or malformed
 */
export function createRequestSigner(auth: unknown, path = "options.auth"): RequestSigner {
  const allow = (auth as { allow?: unknown } | null)?.allow;
  if (allow !== undefined) {
    throw new ValidationError(
      `${path}.allow`,
      allow,
      "permissions are the server's to give: pass allow to createHttpHandler's auth",
    );
  }
  const choice = chooseAuth(
    auth,
    path,
    '{ bearer: "token" }, { hmac: { secret } }, or { none: true }',
  );
  if (choice.kind === "none") return () => NONE;
  if (choice.kind === "bearer") {
    const token = choice.credential;
    if (typeof token !== "string" || token.length === 0 || /\s/.test(token)) {
      throw new ValidationError(
        `${path}.bearer`,
        token,
        "must be a non-empty string without whitespace",
      );
    }
    const headers = Object.freeze({ authorization: `Bearer ${token}` });
    return () => headers;
  }
  const hmac = choice.credential;
  if (typeof hmac === "object" && hmac !== null) checkKnownKeys(hmac, ["secret"], `${path}.hmac`);
  const secret = checkHmacSecret(
    (hmac as { secret?: unknown } | null)?.secret,
    `${path}.hmac.secret`,
  );
  let key: Promise<CryptoKey> | undefined;
  return async (method, url, body) => {
    key ??= importHmacKey(secret);
    return await signHttpRequest({ method, url, body }, await key);
  };
}
