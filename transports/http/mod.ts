/**
 * @module
 * The HTTP transport: services reach each other's commands, queries and
 * events over HTTP. `createHttpHandler` is a Web `Request -> Response`
 * handler that exposes a transport (in-process or store-backed) to other
 * services, with required authentication (bearer token or HMAC signature),
 * ordo's errors mapped to statuses and back, and events as Server-Sent Events
 * resumable with `Last-Event-ID`. `createHttpTransport` is the `Transport`
 * that calls it over `fetch`, for `createBus`. Web-standard APIs only; for
 * node:http, see `server/node_adapter.ts` (`ordo/transports/http/node`).
 * Routes, bodies, statuses and the signature format: docs/decisions/http-transport.md.
 * The code sits in `server/`, `client/` and `wire/` (what both sides share);
 * this entry names what the package exports from them.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers (workerd) and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createBus } from "../../core/messaging/mod.ts";
 * import { createInProcessTransport } from "../in_process.ts";
 * import { createHttpHandler, createHttpTransport } from "./mod.ts";
 *
 * // The orders service: handlers on its own bus, exposed over HTTP.
 * const transport = createInProcessTransport();
 * createBus({ transport }).handleQuery("orders/show", (payload) => ({ id: (payload as { id: string }).id, total: 42 }));
 * const handler = createHttpHandler({ transport, auth: { bearer: "s3cret" } });
 * // Deno.serve(handler.fetch) · Bun.serve({ fetch: handler.fetch }) · export default { fetch: handler.fetch }
 *
 * // Another service: a bus whose transport is HTTP (here `fetch` goes straight to the handler).
 * const remote = createBus({
 *   transport: createHttpTransport({ url: "http://orders.internal", auth: { bearer: "s3cret" }, fetch: (url, init) => handler.fetch(new Request(url, init)) }),
 * });
 * console.log(await remote.query("orders/show", { id: "o-1" })); // { id: "o-1", total: 42 }
 * ```
 */

export {
  type BearerCredential,
  createHttpHandler,
  type CreateHttpHandlerOptions,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SKEW,
  type HmacCredential,
  type HmacServerOptions,
  type HttpHandler,
  type HttpPermissions,
  type HttpServerAuth,
} from "./server/mod.ts";
export {
  createHttpTransport,
  type CreateHttpTransportOptions,
  type HttpClientAuth,
  type HttpSubscriptionStorage,
} from "./client/mod.ts";
export {
  type AnsweredCall,
  type ErrorBody,
  errorBody,
  errorFromBody,
  errorFromStatus,
  HMAC_SCHEME,
  type HmacSecret,
  type RequestToSign,
  signHttpRequest,
  STATUS_BY_TAG,
  statusOf,
  TIMESTAMP_HEADER,
} from "./wire/mod.ts";
