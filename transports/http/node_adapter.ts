/**
 * @module
 * Mounts a Web `Request -> Response` handler on node:http:
 * `createServer(createNodeRequestListener(handler))`. For a handler made by
 * `createHttpHandler`, requests and answers go straight between node:http and
 * the handler, with no Request or Response objects (building and reading
 * those costs more on Node than the whole ordo call); any other handler gets
 * a Web Request and its Response is written out. Either way bodies stream
 * with backpressure, and a client that goes away aborts the request's signal
 * and cancels the answer's stream (an event stream then stops its
 * subscription). Only node:http's types are imported. The code is
 * `server/node_adapter.ts`; this entry names what the package exports from it.
 *
 * Runs on: Node, and the node:http of Deno and Bun.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createInProcessTransport } from "../in_process.ts";
 * import { createHttpHandler } from "./mod.ts";
 * import { createNodeRequestListener } from "./node_adapter.ts";
 * const handler = createHttpHandler({ transport: createInProcessTransport(), auth: { bearer: "s3cret" } });
 * const server = createServer(createNodeRequestListener(handler));
 * server.listen(8080, "127.0.0.1");
 * server.close();
 * ```
 */

export {
  createNodeRequestListener,
  type FetchHandler,
  type NodeRequestListener,
} from "./server/node_adapter.ts";
