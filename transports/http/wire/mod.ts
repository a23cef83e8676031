/**
 * @module
 * The HTTP transport's wire format, what its server and client agree on:
 * ordo's errors as statuses and JSON bodies, JSON with bigints as decimal
 * strings, the Server-Sent Events frames of event streams, the HMAC request
 * signature, and the `auth` option both ends take. `server/` and `client/`
 * import this module, never each other.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers (workerd) and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { ConcurrencyError } from "../../../core/mod.ts";
 * import { errorBody, errorFromBody, statusOf } from "./mod.ts";
 * const error = new ConcurrencyError("order-1", 3, 5);
 * statusOf(error); // 409
 * errorFromBody(JSON.parse(JSON.stringify(errorBody(error)))) instanceof ConcurrencyError; // true
 * ```
 */

export { type AuthChoice, checkHmacSecret, chooseAuth } from "./auth_option.ts";
export { type ErrorBody, errorBody, errorFromBody } from "../../../core/mod.ts";
export {
  type AnsweredCall,
  errorFromStatus,
  retryAfterOf,
  STATUS_BY_TAG,
  statusOf,
} from "./error_mapping.ts";
export { decodeEvent, eventFrame, READY_FRAME } from "./event_frames.ts";
export {
  fromHex,
  hex,
  HMAC_SCHEME,
  type HmacSecret,
  importHmacKey,
  type RequestToSign,
  signHttpRequest,
  textToSign,
  TIMESTAMP_HEADER,
} from "./hmac_signature.ts";
export { bigintField, toJson } from "./json.ts";
export { traceFromHeaders, traceHeaders } from "./trace_headers.ts";
