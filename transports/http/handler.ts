/**
 * The server side of the HTTP transport: a Web `Request -> Response` handler
 * that exposes a transport's client calls to other services. Handlers are
 * registered on the inner transport (through a bus over it), not here.
 *
 * | route | call | success |
 * |---|---|---|
 * | `POST {base}/commands/{name}` body `{ id, data, key?, metadata? }` | `send` | 202 + receipt |
 * | the same with `Prefer: wait` (or `wait=<seconds>`) | `sendAndWait` | 200 + the handler's result |
 * | `POST {base}/queries/{name}` body `{ payload? }` | `query` | 200 + the answer |
 * | `POST {base}/events` body `{ id, type, data, streamName?, metadata? }` | `publish` | 202 + receipt |
 * | `GET {base}/events/stream?group=…&names=a,b` or `&category=…` | `subscribe` | 200 + Server-Sent Events |
 *
 * Errors are answered with the status of their `_tag` (see `error_mapping.ts`)
 * and bodies the client turns back into the same error class.
 *
 * @module
 */

import { type EventStore, ValidationError } from "../../core/mod.ts";
import {
  serviceOf,
  type Transport,
  type TransportCallOptions,
  unknownQueryError,
} from "../../core/messaging/mod.ts";
import { circuitRetryAfter, errorBody, statusOf } from "./error_mapping.ts";
import { type EventStreamChannel, openEventStream } from "./_event_stream.ts";
import {
  type Answer,
  callOfRequest,
  EXCHANGE,
  type ExchangeHandler,
  type IncomingCall,
  responseOfAnswer,
} from "./_exchange.ts";
import { commandFromBody, eventFromBody, queryFromBody } from "./_request_bodies.ts";
import {
  lastEventId,
  messageName,
  preferredWait,
  streamParameters,
} from "./_request_parameters.ts";
import { withWaitLimit } from "./_wait_limit.ts";
import { type Authenticator, createAuthenticator, type HttpServerAuth } from "./server_auth.ts";
import {
  DEFAULT_MAX_BODY_BYTES,
  HttpRefusal,
  jsonAnswer,
  parseJsonBody,
  refusalAnswer,
} from "./_wire.ts";

/** Options of {@link createHttpHandler}. */
export interface CreateHttpHandlerOptions {
  /** The transport whose handlers answer: in-process, store-backed, or any other. */
  readonly transport: Transport;
  /** Required: `{ bearer }`, `{ hmac: { secret } }`, or `{ none: true }` to accept every request. */
  readonly auth: HttpServerAuth;
  /** Path prefix of every route (`/ordo`). Default: none. */
  readonly basePath?: string;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * The only names callable over HTTP, per kind; another name gets 404. A
   * kind not given accepts every valid name (an unknown query still gets 404:
   * the inner transport says it has no handler).
   */
  readonly allow?: { readonly commands?: readonly string[]; readonly queries?: readonly string[] };
  /**
   * The event store the inner transport publishes to (store-backed): event
   * streams then read it from the client's position directly. Without it,
   * each stream subscribes on the inner transport from its beginning.
   */
  readonly events?: EventStore;
  /** Milliseconds between keep-alive comments on event streams. Default 15,000. */
  readonly heartbeat?: number;
  /** Errors answered with 500 (handler failures) and failures of event streams. */
  readonly onError?: (error: unknown) => void;
}

/** A mounted handler: `fetch` for the server, `close` to end its event streams. */
export interface HttpHandler {
  /** Answers one request; never rejects. Pass it as is to `Deno.serve`, `Bun.serve`, a Worker's `fetch`. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Ends every open event stream (clients reconnect elsewhere); the inner transport stays open. */
  close(): Promise<void>;
  /** The same handler without Request and Response objects, for server adapters (node_adapter.ts). */
  readonly [EXCHANGE]: ExchangeHandler;
}

const ROUTES = "/commands/{name}, /queries/{name}, /events, /events/stream";

/**
 * Creates the handler.
 *
 * @throws {ValidationError} on bad options, a missing `auth` above all
 * @example
 * ```ts
 * import { createBus } from "../../core/messaging/mod.ts";
 * import { createInProcessTransport } from "../in_process.ts";
 * import { createHttpHandler } from "./handler.ts";
 * const transport = createInProcessTransport();
 * createBus({ transport }).handleQuery("orders/show", (payload) => ({ shown: payload }));
 * const handler = createHttpHandler({ transport, auth: { bearer: "s3cret" } });
 * const response = await handler.fetch(new Request("http://x/queries/orders/show", {
 *   method: "POST",
 *   headers: { authorization: "Bearer s3cret" },
 *   body: JSON.stringify({ payload: 7 }),
 * }));
 * console.log(response.status, await response.json()); // 200 { shown: 7 }
 * ```
 */
export function createHttpHandler(options: CreateHttpHandlerOptions): HttpHandler {
  const server = new HttpServer(options);
  return {
    fetch: async (request) => responseOfAnswer(await server.handle(callOfRequest(request))),
    close: () => server.close(),
    [EXCHANGE]: (call) => server.handle(call),
  };
}

function checkBasePath(basePath: unknown): string {
  if (basePath === undefined || basePath === "" || basePath === "/") return "";
  if (typeof basePath !== "string" || !basePath.startsWith("/") || /[?#\s]/.test(basePath)) {
    throw new ValidationError("options.basePath", basePath, 'expected a path such as "/ordo"');
  }
  return basePath.replace(/\/+$/, "");
}

function positiveNumber(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(path, value, "must be a positive number");
  }
  return value;
}

function allowList(names: unknown, path: string): ReadonlySet<string> | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) {
    throw new ValidationError(path, names, "expected an array of message names");
  }
  names.forEach((name, i) => serviceOf(name, `${path}[${i}]`));
  return new Set(names);
}

class HttpServer {
  readonly #transport: Transport;
  readonly #auth: Authenticator;
  readonly #base: string;
  readonly #maxBody: number;
  readonly #commands: ReadonlySet<string> | undefined;
  readonly #queries: ReadonlySet<string> | undefined;
  readonly #events: EventStore | undefined;
  readonly #heartbeat: number;
  readonly #onError: (error: unknown) => void;
  readonly #streams = new Set<EventStreamChannel>();

  constructor(options: CreateHttpHandlerOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ValidationError("options", options, "expected { transport, auth }");
    }
    if (typeof options.transport?.send !== "function") {
      throw new ValidationError("options.transport", options.transport, "must be a Transport");
    }
    this.#transport = options.transport;
    this.#auth = createAuthenticator(options.auth);
    this.#base = checkBasePath(options.basePath);
    this.#maxBody = positiveNumber(
      options.maxBodyBytes,
      "options.maxBodyBytes",
      DEFAULT_MAX_BODY_BYTES,
    );
    this.#commands = allowList(options.allow?.commands, "options.allow.commands");
    this.#queries = allowList(options.allow?.queries, "options.allow.queries");
    if (options.events !== undefined && typeof options.events?.readAll !== "function") {
      throw new ValidationError("options.events", options.events, "must be an EventStore");
    }
    this.#events = options.events;
    this.#heartbeat = positiveNumber(options.heartbeat, "options.heartbeat", 15_000);
    this.#onError = options.onError ?? (() => {});
  }

  async handle(call: IncomingCall): Promise<Answer> {
    try {
      return await this.#route(call);
    } catch (error) {
      if (error instanceof HttpRefusal) return refusalAnswer(error);
      return this.#failure(error);
    }
  }

  async close(): Promise<void> {
    for (const stream of [...this.#streams]) stream.close();
  }

  async #route(call: IncomingCall): Promise<Answer> {
    const url = new URL(call.url);
    const path = url.pathname;
    if (
      !path.startsWith(this.#base) ||
      (path.length > this.#base.length && path[this.#base.length] !== "/")
    ) throw notFound(path);
    const refused = this.#auth.checkHeaders(call.header);
    if (refused !== undefined) throw refused;
    const route = path.slice(this.#base.length);
    if (route === "/events/stream") {
      expectMethod(call, "GET");
      await this.#checkSignature(call, url, new Uint8Array(0));
      return this.#eventStream(url, call);
    }
    if (route === "/events") {
      return await this.#publish(await this.#jsonBody(call, url), call);
    }
    // The body (and with it the signature) is checked before the name: an
    // unauthenticated caller learns nothing about which names exist.
    if (route.startsWith("/commands/")) {
      const body = await this.#jsonBody(call, url);
      return await this.#command(
        messageName(route.slice("/commands/".length), "command", this.#commands),
        body,
        call,
      );
    }
    if (route.startsWith("/queries/")) {
      const body = await this.#jsonBody(call, url);
      return await this.#query(
        messageName(route.slice("/queries/".length), "query", this.#queries),
        body,
        call,
      );
    }
    throw notFound(path);
  }

  async #jsonBody(call: IncomingCall, url: URL): Promise<unknown> {
    expectMethod(call, "POST");
    // Any Content-Type is read as JSON: a fetch of a string body says text/plain,
    // curl -d says form-urlencoded, and neither should fail for that.
    const bytes = await call.body(this.#maxBody);
    await this.#checkSignature(call, url, bytes);
    return parseJsonBody(bytes);
  }

  async #checkSignature(call: IncomingCall, url: URL, body: Uint8Array): Promise<void> {
    if (this.#auth.checkSignature === undefined) return;
    const refused = await this.#auth.checkSignature(
      call.method,
      url.pathname + url.search,
      call.header,
      body,
    );
    if (refused !== undefined) throw refused;
  }

  async #command(name: string, body: unknown, call: IncomingCall): Promise<Answer> {
    const envelope = commandFromBody(name, body);
    const wait = preferredWait(call.header("prefer"));
    if (wait === undefined) {
      return jsonAnswer(202, await this.#transport.send(envelope, lazySignal(call)));
    }
    const result = await withWaitLimit(
      (signal) => this.#transport.sendAndWait(envelope, { signal }),
      call.signal,
      wait,
      `sendAndWait "${name}"`,
    );
    return jsonAnswer(200, result ?? null, {
      "preference-applied": wait === Infinity ? "wait" : `wait=${wait / 1000}`,
    });
  }

  async #query(name: string, body: unknown, call: IncomingCall): Promise<Answer> {
    const envelope = queryFromBody(name, body);
    try {
      return jsonAnswer(200, (await this.#transport.query(envelope, lazySignal(call))) ?? null);
    } catch (error) {
      // The inner transport's "no handler" refusal is a missing resource, not a bad request.
      if (error instanceof ValidationError && error.message === unknownQueryError(name).message) {
        throw new HttpRefusal(404, error);
      }
      throw error;
    }
  }

  async #publish(body: unknown, call: IncomingCall): Promise<Answer> {
    return jsonAnswer(202, await this.#transport.publish(eventFromBody(body), lazySignal(call)));
  }

  #eventStream(url: URL, call: IncomingCall): Answer {
    const stream = openEventStream(
      {
        transport: this.#transport,
        events: this.#events,
        heartbeat: this.#heartbeat,
        onError: this.#onError,
      },
      { ...streamParameters(url.searchParams), after: lastEventId(call.header("last-event-id")) },
    );
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
    call.signal?.addEventListener("abort", () => stream.close(), { once: true });
    return { status: 200, headers: EVENT_STREAM_HEADERS, body: stream.body };
  }

  #failure(error: unknown): Answer {
    const status = statusOf(error);
    if (status === 500) this.#onError(error);
    const retryAfter = circuitRetryAfter(error);
    const headers = retryAfter === undefined
      ? undefined
      : { "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
    return jsonAnswer(status, errorBody(error), headers);
  }
}

const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Asks nginx-style proxies not to buffer the stream.
  "x-accel-buffering": "no",
});

// The call's signal, made only if the transport looks at it: in-process
// transports never do, and an AbortController per request is a cost they would pay for nothing.
function lazySignal(call: IncomingCall): TransportCallOptions {
  return {
    get signal() {
      return call.signal;
    },
  };
}

function notFound(path: string): HttpRefusal {
  return new HttpRefusal(
    404,
    new ValidationError("path", path, `no route here: expected one of ${ROUTES}`),
  );
}

function expectMethod(call: IncomingCall, method: string): void {
  if (call.method !== method) {
    throw new HttpRefusal(
      405,
      new ValidationError("method", call.method, `this route takes ${method}`),
      { allow: method },
    );
  }
}
