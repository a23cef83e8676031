/**
 * @module
 * The server side of the HTTP transport: `createHttpHandler`, a Web
 * `Request -> Response` handler that exposes a transport's commands, queries
 * and events to other services, and who may call it (`HttpServerAuth`).
 * The node:http adapter is `node_adapter.ts` beside this file, an entry of
 * its own (`ordo/transports/http/node`), kept out of this module so that the
 * Web entry loads nothing written for one runtime.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers (workerd) and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createInProcessTransport } from "../../in_process.ts";
 * import { createHttpHandler } from "./mod.ts";
 * const handler = createHttpHandler({ transport: createInProcessTransport(), auth: { bearer: "s3cret" } });
 * // Deno.serve(handler.fetch) · Bun.serve({ fetch: handler.fetch }) · export default { fetch: handler.fetch }
 * await handler.close();
 * ```
 */

export {
  createHttpHandler,
  type CreateHttpHandlerOptions,
  DEFAULT_MAX_BODY_BYTES,
  type HttpHandler,
} from "./handler.ts";
export {
  type Authenticator,
  type BearerCredential,
  constantTimeEqual,
  createAuthenticator,
  DEFAULT_MAX_SKEW,
  type HeaderReader,
  type HmacCredential,
  type HmacServerOptions,
  type HttpPermissions,
  type HttpServerAuth,
} from "./server_auth.ts";
