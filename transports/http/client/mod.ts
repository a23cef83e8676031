/**
 * @module
 * The client side of the HTTP transport: `createHttpTransport`, a `Transport`
 * whose calls go over `fetch` to a server running `createHttpHandler`, and
 * whose event subscriptions follow the server's event stream with the
 * checkpoint kept on this side.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers (workerd) and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createBus } from "../../../core/messaging/mod.ts";
 * import { createHttpTransport } from "./mod.ts";
 * const bus = createBus({ transport: createHttpTransport({ url: "http://127.0.0.1:8080", auth: { bearer: "s3cret" } }) });
 * // const order = await bus.query("orders/show", { id: "o-1" });
 * await bus.close();
 * ```
 */

export type { HttpClientAuth } from "./client_auth.ts";
export {
  createHttpTransport,
  type CreateHttpTransportOptions,
  type HttpSubscriptionStorage,
} from "./http_transport.ts";
