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
 * Errors are answered with the status of their `_tag` (see `wire/error_mapping.ts`)
 * and bodies the client turns back into the same error class. An error that is
 * not ordo's (a handler's own, a bug) is logged with an error id and answered
 * 500 with a `ServerError` naming only that id, never its own message.
 *
 * @module
 */

import {
  checkLogger,
  checkOptionalFunction,
  checkOptions,
  checkPositiveNumber,
  checkTimeout,
  consoleLogger,
  type EventStore,
  inheritedTelemetry,
  type Logger,
  type MessageShape,
  type Telemetry,
  untypedStore,
  ValidationError,
} from "../../../core/mod.ts";
import { checkTransport, type Transport } from "../../../core/messaging/mod.ts";
import {
  CALL_HANDLER,
  type CallHandler,
  callOfRequest,
  responseOfAnswer,
} from "./_incoming_call.ts";
import { allowList, basePath } from "./_option_checks.ts";
import { type DispatcherSettings, RequestDispatcher } from "./_request_dispatcher.ts";
import { createAuthenticator, type HttpServerAuth } from "./server_auth.ts";

/** Options of {@link createHttpHandler}. */
export interface CreateHttpHandlerOptions {
  /** The transport whose handlers answer: in-process, store-backed, or any other. */
  readonly transport: Transport;
  /**
   * Required: `{ bearer }`, `{ hmac: { secret } }`, or `{ none: true }` to accept
   * every request; with what each credential may do (`allow`, per credential or
   * for all): commands and queries are allowed unless listed, event routes
   * denied unless listed (see `HttpPermissions`).
   */
  readonly auth: HttpServerAuth;
  /** Path prefix of every route (`/ordo`). Default: none. */
  readonly basePath?: string;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * The only names exposed over HTTP, per kind; another name gets 404 whatever
   * the credential. A listed command is accepted even when the inner
   * transport has no handler for it here (over the store-backed transport its
   * handler may run in another process sharing the store). A kind not given
   * exposes every name the inner transport handles: a name it says it has no
   * handler for (`Transport.handles`, which the in-process and store-backed
   * transports answer) gets 404.
   */
  readonly allow?: { readonly commands?: readonly string[]; readonly queries?: readonly string[] };
  /**
   * The event store the inner transport publishes to (store-backed): event
   * streams then read it from the client's position directly. Without it,
   * each stream subscribes on the inner transport from its beginning.
   */
  readonly events?: EventStore<MessageShape>;
  /** Milliseconds between keep-alive comments on event streams. Default 15,000. */
  readonly heartbeat?: number;
  /**
   * Milliseconds the server waits for a query's answer at most, whatever the
   * client's `Prefer: wait` says (or when it says nothing); past it the query
   * is answered 504 (`TimeoutError`). A query's transport is not told when its
   * client goes away, so this is what ends the wait of a client that sent no
   * `wait=<seconds>` and left. `Infinity` for no bound. Default 30,000.
   */
  readonly queryTimeout?: number;
  /** Errors answered with 500 (handler failures, bugs) and failures of event streams, after they are logged. */
  readonly onError?: (error: unknown) => void;
  /**
   * Where each request is traced (a SERVER span, the caller's `traceparent`
   * its parent). Default: the inner transport's. The caller's trace context
   * reaches the inner transport's handlers with or without it.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where failures are logged (a 500 with its error id, a failed event
   * stream), one line each. Default: the transport's logger, else the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = [
  "transport",
  "auth",
  "basePath",
  "maxBodyBytes",
  "allow",
  "events",
  "heartbeat",
  "queryTimeout",
  "onError",
  "logger",
  "telemetry",
];

/** Default largest request body, in bytes: 1 MiB, the memory store's largest message. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A mounted handler: `fetch` for the server, `close` to end its event streams. */
export interface HttpHandler {
  /**
   * Answers one request; never rejects. Pass it as is to `Deno.serve`,
   * `Bun.serve`, a Worker's `fetch`. After `close()` every request is
   * answered 503 with a `ClosedError`.
   */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * Ends every open event stream (clients reconnect elsewhere) and waits for
   * the requests in flight; the inner transport stays open. Idempotent.
   */
  close(): Promise<void>;
  /**
   * The same handler without Request and Response objects, for server adapters (node_adapter.ts).
   *
   * @internal
   */
  readonly [CALL_HANDLER]: CallHandler;
}

/**
 * Creates the handler.
 *
 * @throws {ValidationError} on bad options (a missing `auth` above all, an unknown key too), naming the option
 * @example
 * ```ts
 * import { createBus } from "../../../core/messaging/mod.ts";
 * import { createInProcessTransport } from "../../in_process.ts";
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
  const dispatcher = new RequestDispatcher(checkHandlerOptions(options));
  return {
    fetch: async (request) => responseOfAnswer(await dispatcher.handle(callOfRequest(request))),
    close: () => dispatcher.close(),
    [CALL_HANDLER]: (call) => dispatcher.handle(call),
  };
}

// Every option is checked before the handler exists, so a bad one fails at
// startup, not at the first request.
function checkHandlerOptions(options: CreateHttpHandlerOptions): DispatcherSettings {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", options, "expected { transport, auth }");
  }
  checkOptions(options, OPTION_KEYS);
  const transport = checkTransport(options.transport, "options.transport");
  checkOptionalFunction(options.onError, "options.onError");
  const auth = createAuthenticator(options.auth);
  const base = basePath(options.basePath);
  const maxBodyBytes = checkPositiveNumber(
    options.maxBodyBytes,
    "options.maxBodyBytes",
    DEFAULT_MAX_BODY_BYTES,
  );
  checkOptions(options.allow, ["commands", "queries"], "options.allow");
  const commands = allowList(options.allow?.commands, "options.allow.commands");
  const queries = allowList(options.allow?.queries, "options.allow.queries");
  if (options.events !== undefined && typeof options.events?.readAll !== "function") {
    throw new ValidationError("options.events", options.events, "must be an EventStore");
  }
  return {
    transport,
    auth,
    basePath: base,
    maxBodyBytes,
    commands,
    queries,
    events: options.events === undefined ? undefined : untypedStore(options.events),
    heartbeat: checkPositiveNumber(options.heartbeat, "options.heartbeat", 15_000),
    queryTimeout: checkTimeout(options.queryTimeout, "options.queryTimeout", 30_000),
    onError: options.onError ?? (() => {}),
    telemetry: inheritedTelemetry(options.telemetry, transport),
    logger: checkLogger(options.logger, "options.logger", transport.logger ?? consoleLogger),
  };
}
