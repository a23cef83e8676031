/**
 * The HMAC request signature shared by the HTTP client and server (Web
 * Crypto HMAC-SHA-256; no runtime-specific crypto). A signed request carries
 * two headers:
 *
 * ```
 * X-Ordo-Timestamp: 1732370000                      (seconds since the Unix epoch)
 * Authorization: ORDO-HMAC-SHA256 <64 hex digits>   (HMAC-SHA-256 of the text below, lowercase hex)
 * ```
 *
 * The signed text is five lines joined by `\n`: the scheme name
 * `ORDO-HMAC-SHA256`, the timestamp exactly as sent, the method in upper
 * case, the path and query exactly as in the request line (`/ordo/queries/orders/show?x=1`),
 * and the lowercase hex SHA-256 of the body bytes (of nothing for a GET).
 * Changing any of them — body, path, query, method or timestamp — breaks the
 * signature; the server refuses a timestamp further than its skew window
 * (default 5 minutes) from its own clock. See docs/decisions/http-transport.md.
 *
 * @module
 */

/** The `Authorization` scheme of a signed request. */
export const HMAC_SCHEME = "ORDO-HMAC-SHA256";
/** The header carrying the signing time, in whole seconds since the epoch. */
export const TIMESTAMP_HEADER = "x-ordo-timestamp";

/** An HMAC secret: text (its UTF-8 bytes are the key) or raw bytes. */
export type HmacSecret = string | Uint8Array;

const encoder = new TextEncoder();

/** Imports a secret as a Web Crypto HMAC-SHA-256 key. */
export function importHmacKey(secret: HmacSecret): Promise<CryptoKey> {
  const bytes = typeof secret === "string" ? encoder.encode(secret) : secret;
  return crypto.subtle.importKey(
    "raw",
    bytes as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** The text a signature covers. */
export async function textToSign(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  body: Uint8Array,
): Promise<Uint8Array> {
  const bodyHash = hex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>)),
  );
  return encoder.encode(
    `${HMAC_SCHEME}\n${timestamp}\n${method.toUpperCase()}\n${pathAndQuery}\n${bodyHash}`,
  );
}

/** What to sign: the request as it will be sent. */
export interface RequestToSign {
  /** The HTTP method; signed in upper case. */
  readonly method: string;
  /** The full URL; its path and query are signed. */
  readonly url: string | URL;
  /** The exact body bytes (or text, signed as UTF-8); none for a GET. */
  readonly body?: Uint8Array | string;
}

/**
 * The two headers that sign a request for a server created with
 * `auth: { hmac: { secret } }`. The HTTP client does this itself; this is for
 * other callers (scripts, other HTTP clients).
 *
 * @example
 * ```ts
 * import { signHttpRequest } from "./hmac_signature.ts";
 * const body = JSON.stringify({ payload: { id: "o-1" } });
 * const headers = await signHttpRequest({ method: "POST", url: "http://127.0.0.1:8080/queries/orders/show", body }, "s3cret");
 * console.log(Object.keys(headers)); // ["authorization", "x-ordo-timestamp"]
 * ```
 */
export async function signHttpRequest(
  request: RequestToSign,
  secret: HmacSecret | CryptoKey,
  options: { readonly timestamp?: number } = {},
): Promise<{ authorization: string; "x-ordo-timestamp": string }> {
  const key = isCryptoKey(secret) ? secret : await importHmacKey(secret);
  const url = typeof request.url === "string" ? new URL(request.url) : request.url;
  const timestamp = String(Math.floor(options.timestamp ?? Date.now() / 1000));
  const body = typeof request.body === "string"
    ? encoder.encode(request.body)
    : request.body ?? new Uint8Array(0);
  const signed = await textToSign(request.method, url.pathname + url.search, timestamp, body);
  const signature = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, signed as Uint8Array<ArrayBuffer>),
  );
  return { authorization: `${HMAC_SCHEME} ${hex(signature)}`, [TIMESTAMP_HEADER]: timestamp } as {
    authorization: string;
    "x-ordo-timestamp": string;
  };
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) &&
    "algorithm" in value;
}

/** Lowercase hex of bytes. */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Bytes of lowercase or uppercase hex; `undefined` when it is not hex of an even length. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
