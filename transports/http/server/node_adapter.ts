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
 * subscription). Only node:http's types are imported.
 *
 * Runs on: Node, and the node:http of Deno and Bun.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createInProcessTransport } from "../../in_process.ts";
 * import { createHttpHandler } from "./mod.ts";
 * import { createNodeRequestListener } from "./node_adapter.ts";
 * const handler = createHttpHandler({ transport: createInProcessTransport(), auth: { bearer: "s3cret" } });
 * const server = createServer(createNodeRequestListener(handler));
 * server.listen(8080, "127.0.0.1");
 * server.close();
 * ```
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { consoleLogger, ValidationError } from "../../../core/mod.ts";
import { createHttpHandler } from "./handler.ts";
import {
  type Answer,
  CALL_HANDLER,
  type CallHandler,
  type IncomingCall,
} from "./_incoming_call.ts";
import { bodyTooLarge } from "./_refusals.ts";
import { concatChunks } from "./_request_body.ts";

/**
 * Where `createHttpHandler`'s handler offers this adapter its calls without
 * Request and Response objects.
 *
 * @internal
 */
interface CallHandlerSlot {
  readonly [CALL_HANDLER]?: CallHandler;
}

/** What the listener answers with: a Web handler function, or an object with `fetch` (such as `createHttpHandler`'s). */
export type FetchHandler =
  | ((request: Request) => Response | Promise<Response>)
  | ({ readonly fetch: (request: Request) => Response | Promise<Response> } & CallHandlerSlot);

/** A node:http request listener. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A node:http request listener that answers with `handler`.
 *
 * A handler that throws, or answers with something that is not a Response,
 * gets a bare 500 and an error line on the console (ordo's handler never
 * throws).
 *
 * @throws {ValidationError} at `handler` when it is neither a function nor an
 *   object with `fetch` (`undefined`, or `createHttpHandler` itself rather than
 *   the handler it returns), so a wrong argument fails at startup, not as a 500
 *   for every request
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createNodeRequestListener } from "./node_adapter.ts";
 * const server = createServer(createNodeRequestListener((request) => new Response(`you asked for ${new URL(request.url).pathname}`)));
 * server.listen(8080, "127.0.0.1");
 * server.close();
 * ```
 */
export function createNodeRequestListener(handler: FetchHandler): NodeRequestListener {
  checkFetchHandler(handler);
  if (typeof handler === "object" && typeof handler[CALL_HANDLER] === "function") {
    const callHandler = handler[CALL_HANDLER];
    return (req, res) => void serveCall(callHandler, req, res);
  }
  const fetch = typeof handler === "function"
    ? handler
    : (request: Request) => handler.fetch(request);
  return (req, res) => void serveFetch(fetch, req, res);
}

const WHAT = "expected a Web handler, (request) => Response, or the handler " +
  "createHttpHandler({ transport, auth }) returns";

function checkFetchHandler(handler: unknown): void {
  if ((handler as unknown) === createHttpHandler) {
    throw new ValidationError(
      "handler",
      handler,
      `${WHAT}, got createHttpHandler itself: pass the handler it returns`,
    );
  }
  const ok = typeof handler === "function" ||
    (typeof handler === "object" && handler !== null &&
      typeof (handler as { fetch?: unknown }).fetch === "function");
  if (!ok) throw new ValidationError("handler", handler, WHAT);
}

const encoder = new TextEncoder();
const FAILED: Answer = { status: 500, headers: {}, body: "" };

function describe(value: unknown): string {
  return value === null ? "null" : typeof value === "object" ? "an object" : typeof value;
}

// The listener has no logger of its own; a failure it answers 500 for is
// written where a Web server's own (Deno.serve, Bun.serve) would be, not dropped.
function logFailure(req: IncomingMessage, error: unknown): void {
  consoleLogger.error("HTTP handler failed; answered 500", {
    method: req.method,
    url: req.url,
    error,
  });
}

async function serveCall(
  callHandler: CallHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const call = new NodeCall(req, res);
  let answer: Answer;
  try {
    answer = await callHandler(call);
  } catch (error) {
    logFailure(req, error);
    answer = FAILED;
  }
  try {
    if (typeof answer.body === "string") {
      // A complete answer (JSON) goes out in one write with its length.
      const bytes = encoder.encode(answer.body);
      res.writeHead(answer.status, {
        ...answer.headers,
        "content-length": String(bytes.byteLength),
      }).end(bytes);
      return;
    }
    res.writeHead(answer.status, answer.headers);
    await pump(answer.body.getReader(), res);
  } catch {
    res.destroy();
  }
}

async function serveFetch(
  fetch: (request: Request) => Response | Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const gone = whenGone(res);
  let response: Response;
  try {
    // A request that cannot be read (the client went away mid-body) is no failure of the handler's.
    const request = await toRequest(req, gone.signal());
    try {
      response = await fetch(request);
      if (typeof response?.headers?.forEach !== "function" || typeof response.status !== "number") {
        throw new TypeError(`the handler answered ${describe(response)}, not a Response`);
      }
    } catch (error) {
      logFailure(req, error);
      throw error;
    }
  } catch {
    response = new Response(null, { status: 500 });
  }
  try {
    await writeResponse(response, res);
  } catch {
    res.destroy();
  }
}

/**
 * One request as the handler sees it. A class, not an object literal of
 * closures: a request then allocates two objects, not four.
 */
class NodeCall implements IncomingCall {
  readonly method: string;
  readonly url: string;
  readonly #req: IncomingMessage;
  readonly #gone: { signal(): AbortSignal; gone(): boolean };

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.method = req.method ?? "GET";
    this.url = urlOf(req);
    this.#req = req;
    this.#gone = whenGone(res);
  }

  // A function of its own: the handler hands it on as a header reader, apart from the call.
  readonly header = (name: string): string | null => {
    const value = this.#req.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };

  get signal(): AbortSignal {
    return this.#gone.signal();
  }

  wentAway(): boolean {
    return this.#gone.gone();
  }

  body(limit: number): Promise<Uint8Array> {
    return readBody(this.#req, limit);
  }
}

/** A signal, made on first use, that aborts when the client closes the connection before the answer is written. */
function whenGone(res: ServerResponse): { signal(): AbortSignal; gone(): boolean } {
  let controller: AbortController | undefined;
  let gone = false;
  res.once("close", () => {
    if (res.writableFinished) return;
    gone = true;
    controller?.abort(new Error("The client closed the connection"));
  });
  return {
    signal: () => {
      if (controller === undefined) {
        controller = new AbortController();
        if (gone) controller.abort(new Error("The client closed the connection"));
      }
      return controller.signal;
    },
    gone: () => gone,
  };
}

function urlOf(req: IncomingMessage): string {
  const path = req.url ?? "/";
  if (!path.startsWith("/")) return path; // absolute-form, as sent to a proxy
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  return `${scheme}://${req.headers.host ?? "localhost"}${path}`;
}

/** The body's bytes, refused with 413 past `limit`: at once when Content-Length says so, else as soon as the bytes pass it. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) {
    req.resume(); // read and drop the rest, so the connection can carry the answer
    return Promise.reject(bodyTooLarge(declared, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let refused = false;
    const onData = (chunk: Uint8Array) => {
      total += chunk.byteLength;
      if (total > limit) {
        refused = true;
        req.off("data", onData);
        req.resume();
        reject(bodyTooLarge(total, limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => refused || resolve(concatChunks(chunks, total)));
    req.once("error", reject);
  });
}

/** Bodies up to this size with a `Content-Length` are collected before the Request is made (faster on Node than a stream). */
const COLLECT_LIMIT = 64 * 1024;

async function toRequest(req: IncomingMessage, signal: AbortSignal): Promise<Request> {
  const url = urlOf(req);
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  if (method === "GET" || method === "HEAD") return new Request(url, { method, headers, signal });
  if (Number(req.headers["content-length"] ?? NaN) <= COLLECT_LIMIT) {
    return new Request(url, {
      method,
      headers,
      signal,
      body: await readBody(req, COLLECT_LIMIT) as Uint8Array<ArrayBuffer>,
    });
  }
  return new Request(
    url,
    { method, headers, signal, body: streamOf(req), duplex: "half" } as RequestInit,
  );
}

function streamOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => !cancelled && controller.close());
      req.once("error", (error) => !cancelled && controller.error(error));
    },
    pull() {
      req.resume();
    },
    cancel() {
      // The handler stopped reading (a body over its limit): let the rest
      // drain unread, so the connection can carry the answer.
      cancelled = true;
      req.resume();
    },
  }, { highWaterMark: 4 });
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (response.body === null) {
    res.writeHead(response.status, headers).end();
    return;
  }
  res.writeHead(response.status, headers);
  await pump(response.body.getReader(), res);
}

/** Writes a body stream out with backpressure; a client that goes away cancels it. */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
): Promise<void> {
  res.once("close", () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (res.destroyed) {
      await reader.cancel().catch(() => {});
      return;
    }
    if (!res.write(value)) await drained(res);
  }
  res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
