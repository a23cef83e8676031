/**
 * Who may call an HTTP handler, and what each caller may do. There is no open
 * default: `createHttpHandler` requires `auth`, and a handler without
 * authentication must say so with `{ none: true }`.
 *
 * - `{ bearer: "token" }` (or several, for rotation, each a string or
 *   `{ token, name?, allow? }`): `Authorization: Bearer <token>`, compared in
 *   constant time.
 * - `{ hmac: { secret } }` (or several secrets, each bytes, text or
 *   `{ secret, name?, allow? }`): every request signed as
 *   `wire/hmac_signature.ts` describes, the timestamp within `maxSkew` of the
 *   server's clock.
 *
 * A request without an accepted credential gets 401 (`UnauthenticatedError`)
 * with `WWW-Authenticate` naming the scheme. What a credential may do is its
 * `allow` (see {@link HttpPermissions}; keys it leaves out come from the
 * `auth` option's `allow`): commands and queries are allowed unless listed,
 * event routes denied unless listed; a refusal is 403 (`ForbiddenError`),
 * before any handler or store is touched.
 *
 * @module
 */

import { checkKnownKeys, checkPositiveNumber, ValidationError } from "../../../core/mod.ts";
import {
  chooseAuth,
  fromHex,
  HMAC_SCHEME,
  type HmacSecret,
  importHmacKey,
  textToSign,
  TIMESTAMP_HEADER,
} from "../wire/mod.ts";
import {
  checkCredentials,
  checkSecret,
  checkToken,
  type Credential,
  type KeyedCredential,
} from "./_credentials.ts";
import { type AllowOption, checkPermissions, type HttpPermissions } from "./_permissions.ts";
import { unauthorized } from "./_refusals.ts";

export type { HttpPermissions } from "./_permissions.ts";

/** A bearer token with a name and permissions of its own. */
export interface BearerCredential {
  /** The token a client sends as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Names the credential in refusals and logs (never the token). */
  readonly name?: string;
  /** What this credential may do; default: the handler's `auth.allow`. */
  readonly allow?: HttpPermissions;
}

/** An HMAC secret with a name and permissions of its own. */
export interface HmacCredential {
  /** The shared secret requests are signed with. */
  readonly secret: HmacSecret;
  /** Names the credential in refusals and logs (never the secret). */
  readonly name?: string;
  /** What this credential may do; default: the handler's `auth.allow`. */
  readonly allow?: HttpPermissions;
}

/** Options of HMAC authentication on the server. */
export interface HmacServerOptions {
  /** The shared secret, or several (any one may sign: rotate by adding the new one first). */
  readonly secret: HmacSecret | HmacCredential | readonly (HmacSecret | HmacCredential)[];
  /** Largest distance in milliseconds between a request's timestamp and the server's clock. Default 300,000 (5 minutes). */
  readonly maxSkew?: number;
}

/** How the server authenticates requests and what their credentials may do; see the module summary. */
export type HttpServerAuth =
  | {
    readonly bearer: string | BearerCredential | readonly (string | BearerCredential)[];
    /** What credentials without an `allow` of their own may do. */
    readonly allow?: HttpPermissions;
  }
  | { readonly hmac: HmacServerOptions; readonly allow?: HttpPermissions }
  | { readonly none: true; readonly allow?: HttpPermissions };

/** Default HMAC clock-skew window, in milliseconds. */
export const DEFAULT_MAX_SKEW = 5 * 60 * 1000;

/** A request header by lowercase name; `null` when absent. */
export type HeaderReader = (name: string) => string | null;

/** A checked auth option, ready to judge requests. Refusals are thrown as `HttpRefusal`s (401). */
export interface Authenticator {
  /** Judges the headers alone: the credential when they suffice (bearer, none), `undefined` when a signature is still to check. */
  checkHeaders(header: HeaderReader): Credential | undefined;
  /** Judges what is bound to the body (the HMAC signature); the credential whose secret signed it. */
  checkSignature?(
    method: string,
    pathAndQuery: string,
    header: HeaderReader,
    body: Uint8Array,
  ): Promise<Credential>;
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
    ["bearer", "hmac", "none", "allow"],
  );
  const shared: AllowOption = { allow: (auth as { allow?: unknown }).allow, path: `${path}.allow` };
  checkPermissions(shared);
  if (choice.kind === "none") {
    const anyone: Credential = { name: undefined, permissions: checkPermissions(shared) };
    return { checkHeaders: () => anyone };
  }
  if (choice.kind === "bearer") {
    return bearerAuthenticator(
      checkCredentials(choice.credential, `${path}.bearer`, "token", checkToken, shared),
    );
  }
  return hmacAuthenticator(choice.credential, `${path}.hmac`, shared);
}

const BEARER_CHALLENGE = 'Bearer realm="ordo"';

function bearerAuthenticator(credentials: readonly KeyedCredential<string>[]): Authenticator {
  return {
    checkHeaders(header) {
      const authorization = header("authorization");
      if (authorization === null) {
        throw unauthorized(
          "Bearer",
          BEARER_CHALLENGE,
          "the Authorization header is missing: send Authorization: Bearer <token>",
        );
      }
      const presented = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
      // Every token is compared, and each comparison takes the same time whatever matches.
      let found: Credential | undefined;
      if (presented !== undefined) {
        for (const credential of credentials) {
          if (constantTimeEqual(credential.key, presented)) found = credential;
        }
      }
      if (found === undefined) {
        throw unauthorized(
          "Bearer",
          `${BEARER_CHALLENGE}, error="invalid_token"`,
          "the Authorization header does not hold an accepted bearer token",
        );
      }
      return found;
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

function hmacAuthenticator(options: unknown, path: string, shared: AllowOption): Authenticator {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError(path, options, "expected { secret, maxSkew? }");
  }
  checkKnownKeys(options, ["secret", "maxSkew"], path);
  const o = options as Record<string, unknown>;
  const credentials = checkCredentials(o.secret, `${path}.secret`, "secret", checkSecret, shared);
  // `null` counts as absent here (the default applies), as it always has.
  const maxSkew = checkPositiveNumber(
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
        throw unauthorized(
          HMAC_SCHEME,
          HMAC_CHALLENGE,
          `the request is not signed: send Authorization: ${HMAC_SCHEME} <signature> and X-Ordo-Timestamp`,
        );
      }
      if (
        !/^\d{1,15}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp) * 1000) > maxSkew
      ) {
        throw unauthorized(
          HMAC_SCHEME,
          HMAC_CHALLENGE,
          `the request has a timestamp outside the server's window of ${
            Math.round(maxSkew / 1000)
          } s`,
        );
      }
      return undefined;
    },
    async checkSignature(method, pathAndQuery, header, body) {
      const found = SIGNATURE.exec(header("authorization") ?? "");
      const signature = found === null ? undefined : fromHex(found[1]);
      if (signature !== undefined) {
        keys ??= Promise.all(credentials.map((credential) => importHmacKey(credential.key)));
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
        const signer = results.indexOf(true);
        if (signer !== -1) return credentials[signer];
      }
      throw unauthorized(
        HMAC_SCHEME,
        HMAC_CHALLENGE,
        "the request does not hold a valid signature of its method, path, timestamp and body",
      );
    },
  };
}
