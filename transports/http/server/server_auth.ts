/**
 * Who may call an HTTP handler. There is no open default: `createHttpHandler`
 * requires `auth`, and a handler without authentication must say so with
 * `{ none: true }`.
 *
 * - `{ bearer: "token" }` (or several, for rotation): `Authorization: Bearer
 *   <token>`, compared in constant time.
 * - `{ hmac: { secret } }` (or several secrets): every request signed as
 *   `wire/hmac_signature.ts` describes, the timestamp within `maxSkew` of the
 *   server's clock.
 *
 * A refused request gets 401 with `WWW-Authenticate` naming the scheme.
 *
 * @module
 */

import { ValidationError } from "../../../core/mod.ts";
import {
  checkHmacSecret,
  chooseAuth,
  fromHex,
  HMAC_SCHEME,
  type HmacSecret,
  importHmacKey,
  textToSign,
  TIMESTAMP_HEADER,
} from "../wire/mod.ts";
import { nonEmptyStrings, positiveNumber } from "./_option_checks.ts";
import { type HttpRefusal, unauthorized } from "./_refusals.ts";

/** Options of HMAC authentication on the server. */
export interface HmacServerOptions {
  /** The shared secret, or several (any one may sign: rotate by adding the new one first). */
  readonly secret: HmacSecret | readonly HmacSecret[];
  /** Largest distance in milliseconds between a request's timestamp and the server's clock. Default 300,000 (5 minutes). */
  readonly maxSkew?: number;
}

/** How the server authenticates requests; see the module summary. */
export type HttpServerAuth =
  | { readonly bearer: string | readonly string[] }
  | { readonly hmac: HmacServerOptions }
  | { readonly none: true };

/** Default HMAC clock-skew window, in milliseconds. */
export const DEFAULT_MAX_SKEW = 5 * 60 * 1000;

/** A request header by lowercase name; `null` when absent. */
export type HeaderReader = (name: string) => string | null;

/** A checked auth option, ready to judge requests. */
export interface Authenticator {
  /** Judges the headers alone (all a bearer token needs); `undefined` when they pass so far. */
  checkHeaders(header: HeaderReader): HttpRefusal | undefined;
  /** Judges what is bound to the body (the HMAC signature); `undefined` when accepted. */
  checkSignature?(
    method: string,
    pathAndQuery: string,
    header: HeaderReader,
    body: Uint8Array,
  ): Promise<HttpRefusal | undefined>;
}

/**
 * Checks an `auth` option and returns its authenticator.
 *
 * @throws {ValidationError} when `auth` is missing or malformed
 */
export function createAuthenticator(auth: unknown, path = "options.auth"): Authenticator {
  const choice = chooseAuth(
    auth,
    path,
    '{ bearer: "token" }, { hmac: { secret } }, or { none: true } to accept every request',
  );
  if (choice.kind === "none") return { checkHeaders: () => undefined };
  if (choice.kind === "bearer") {
    return bearerAuthenticator(nonEmptyStrings(choice.credential, `${path}.bearer`));
  }
  return hmacAuthenticator(choice.credential, `${path}.hmac`);
}

const BEARER_CHALLENGE = 'Bearer realm="ordo"';

function bearerAuthenticator(tokens: readonly string[]): Authenticator {
  return {
    checkHeaders(header) {
      const authorization = header("authorization");
      if (authorization === null) {
        return unauthorized(BEARER_CHALLENGE, "is missing: send Authorization: Bearer <token>");
      }
      const presented = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
      // Every token is compared, and each comparison takes the same time whatever matches.
      let accepted = false;
      if (presented !== undefined) {
        for (const token of tokens) accepted = constantTimeEqual(token, presented) || accepted;
      }
      return accepted ? undefined : unauthorized(
        `${BEARER_CHALLENGE}, error="invalid_token"`,
        "does not hold an accepted bearer token",
      );
    },
  };
}

/**
 * Whether two strings are equal, in a time that depends only on `expected`'s
 * length: every character is visited and differences are OR-ed together.
 *
 * @example
 * ```ts
 * import { constantTimeEqual } from "./server_auth.ts";
 * constantTimeEqual("s3cret", "s3cret"); // true
 * constantTimeEqual("s3cret", "s3creT"); // false, after visiting every character
 * ```
 */
export function constantTimeEqual(expected: string, presented: string): boolean {
  let difference = expected.length ^ presented.length;
  const spare = presented.length === 0 ? " " : presented;
  for (let i = 0; i < expected.length; i++) {
    difference |= expected.charCodeAt(i) ^ spare.charCodeAt(i % spare.length);
  }
  return difference === 0;
}

const HMAC_CHALLENGE = `${HMAC_SCHEME} realm="ordo"`;
const SIGNATURE = new RegExp(`^${HMAC_SCHEME} +([0-9a-fA-F]{64}) *$`);

function hmacAuthenticator(options: unknown, path: string): Authenticator {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError(path, options, "expected { secret, maxSkew? }");
  }
  const o = options as Record<string, unknown>;
  const secrets = Array.isArray(o.secret) ? o.secret : [o.secret];
  if (secrets.length === 0) {
    throw new ValidationError(`${path}.secret`, o.secret, "name at least one secret");
  }
  secrets.forEach((secret, i) =>
    checkHmacSecret(secret, Array.isArray(o.secret) ? `${path}.secret[${i}]` : `${path}.secret`)
  );
  // `null` counts as absent here (the default applies), as it always has.
  const maxSkew = positiveNumber(
    o.maxSkew ?? undefined,
    `${path}.maxSkew`,
    DEFAULT_MAX_SKEW,
    "milliseconds",
  );
  let keys: Promise<CryptoKey[]> | undefined;
  return {
    checkHeaders(header) {
      const timestamp = header(TIMESTAMP_HEADER);
      if (header("authorization") === null || timestamp === null) {
        return unauthorized(
          HMAC_CHALLENGE,
          `is missing: sign the request (Authorization: ${HMAC_SCHEME} <signature> and X-Ordo-Timestamp)`,
        );
      }
      if (
        !/^\d{1,15}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp) * 1000) > maxSkew
      ) {
        return unauthorized(
          HMAC_CHALLENGE,
          `has a timestamp outside the server's window of ${Math.round(maxSkew / 1000)} s`,
        );
      }
      return undefined;
    },
    async checkSignature(method, pathAndQuery, header, body) {
      const found = SIGNATURE.exec(header("authorization") ?? "");
      const signature = found === null ? undefined : fromHex(found[1]);
      if (signature !== undefined) {
        keys ??= Promise.all((secrets as HmacSecret[]).map(importHmacKey));
        const signed = await textToSign(method, pathAndQuery, header(TIMESTAMP_HEADER)!, body);
        // Web Crypto's verify compares in constant time; every key is tried.
        const results = await Promise.all(
          (await keys).map((key) =>
            crypto.subtle.verify(
              "HMAC",
              key,
              signature as Uint8Array<ArrayBuffer>,
              signed as Uint8Array<ArrayBuffer>,
            )
          ),
        );
        if (results.includes(true)) return undefined;
      }
      return unauthorized(HMAC_CHALLENGE, "does not hold a valid signature of this request");
    },
  };
}
