// Routes each incoming call of a handler to its inner transport: the path to
// a transport call, the body to its envelope, the result (or error) to an
// answer. Refused requests (401, 403, 404, 405, 413) are answered before any
// transport call; authentication is judged before the route, so routes are
// not revealed to unauthenticated callers, and what the credential may do
// before the body is turned into an envelope. An error that is not ordo's is
// logged with an error id and answered as a ServerError naming only that id.

import {
  ClosedError,
  CloseGate,
  type EventStore,
  ForbiddenError,
  type Logger,
  nearbyNames,
  NotFoundError,
  type Telemetry,
  tellHooks,
} from "../../../core/mod.ts";
import {
  type QueryEnvelope,
  reportedResultAsJson,
  type Transport,
  type TransportCallOptions,
} from "../../../core/messaging/mod.ts";
import type { Credential } from "./_credentials.ts";
import { type EventStreamChannel, openEventStream } from "./_event_stream.ts";
import type { Answer, IncomingCall } from "./_incoming_call.ts";
import { jsonAnswer, ordoErrorAnswer, refusalAnswer, serverFailureAnswer } from "./_json_answer.ts";
import { HttpRefusal, methodNotAllowed, notFound } from "./_refusals.ts";
import { commandFromBody, eventFromBody, parseJsonBody, queryFromBody } from "./_request_bodies.ts";
import {
  lastEventId,
  messageName,
  preferredWait,
  streamParameters,
} from "./_request_parameters.ts";
import { withWaitLimit } from "./_wait_limit.ts";
import { messageWithTrace, queryWithTrace, tracedRequest } from "./_request_span.ts";
import type { Authenticator } from "./server_auth.ts";

/** A handler's options, checked (see handler.ts). */
export interface DispatcherSettings {
  readonly transport: Transport;
  readonly auth: Authenticator;
  /** The path prefix without a trailing slash; `""` for none. */
  readonly basePath: string;
  readonly maxBodyBytes: number;
  readonly commands: ReadonlySet<string> | undefined;
  readonly queries: ReadonlySet<string> | undefined;
  readonly events: EventStore | undefined;
  readonly heartbeat: number;
  /** The longest wait for a query's answer, whatever the client prefers (`Infinity`: none). */
  readonly queryTimeout: number;
  readonly onError: (error: unknown) => void;
  readonly logger: Logger;
  /** Traces each request when set (its own, or the inner transport's). */
  readonly telemetry: Telemetry | undefined;
}

const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Asks nginx-style proxies not to buffer the stream.
  "x-accel-buffering": "no",
});

const NO_BODY = new Uint8Array(0);

/** What the call is, as far as routing got: names it in a ServerError and the log. */
interface CallLabel {
  operation: string;
}

/** Answers the calls of one handler; keeps its open event streams so `close` can end them. */
export class RequestDispatcher {
  readonly #settings: DispatcherSettings;
  readonly #transport: Transport;
  readonly #base: string;
  readonly #streams = new Set<EventStreamChannel>();
  readonly #gate = new CloseGate("HTTP handler");
  /** The calls being answered, by what they do, for a close that waits for them. */
  readonly #calls = new Set<CallLabel>();

  constructor(settings: DispatcherSettings) {
    this.#settings = settings;
    this.#transport = settings.transport;
    this.#base = settings.basePath;
  }

  /**
   * Answers one call; never rejects. After `close()`, every call is answered
   * with a `ClosedError` (503). With telemetry, each call is a SERVER span.
   */
  handle(call: IncomingCall): Promise<Answer> {
    const telemetry = this.#settings.telemetry;
    if (telemetry === undefined) return this.#answer(call);
    return tracedRequest(telemetry, call, this.#base, (traced) => this.#answer(traced));
  }

  async #answer(call: IncomingCall): Promise<Answer> {
    const label: CallLabel = { operation: call.method };
    try {
      if (this.#gate.closed) {
        throw new ClosedError(
          "HTTP handler",
          `answer ${call.method} ${new URL(call.url).pathname}`,
        );
      }
      this.#calls.add(label);
      return await this.#gate.run("answer", () => this.#route(call, label));
    } catch (error) {
      if (error instanceof HttpRefusal) return refusalAnswer(error);
      return ordoErrorAnswer(error) ?? this.#failed(error, call, label.operation);
    } finally {
      this.#calls.delete(label);
    }
  }

  /**
   * Ends every open event stream, then waits for the calls in flight (a
   * wait of more than a few seconds is logged, naming them). Idempotent.
   */
  close(): Promise<void> {
    if (!this.#gate.closed) { for (const stream of [...this.#streams]) stream.close(); }
    return this.#gate.close(undefined, {
      logger: this.#settings.logger,
      waitingFor: () => [...this.#calls].map((label) => label.operation),
    });
  }

  /** A failure that is not ordo's: logged under a new error id, which is all the client learns. */
  #failed(error: unknown, call: IncomingCall, operation: string): Answer {
    const errorId = crypto.randomUUID();
    const { logger, onError } = this.#settings;
    if (call.wentAway()) {
      // The client went away (a wait it gave up on): no one reads the answer, and it is no failure.
      logger.debug("HTTP client went away", { errorId, operation, method: call.method });
      return serverFailureAnswer(operation, errorId);
    }
    logger.error("HTTP request failed", { errorId, operation, method: call.method, error });
    tellHooks([onError], [error], { logger, fields: { errorId, operation } });
    return serverFailureAnswer(operation, errorId);
  }

  async #route(call: IncomingCall, label: CallLabel): Promise<Answer> {
    const url = new URL(call.url);
    const path = url.pathname;
    label.operation = `${call.method} ${path}`;
    if (
      !path.startsWith(this.#base) ||
      (path.length > this.#base.length && path[this.#base.length] !== "/")
    ) throw notFound(path);
    const known = this.#settings.auth.checkHeaders(call.header);
    const route = path.slice(this.#base.length);
    // What the credential may do is judged before the request's parameters
    // and body are checked: a caller without the right learns nothing of
    // their shape (a 403, never a 400 first). Where the right depends on
    // what the request names (a stream, a selector), a credential with no
    // right of the kind at all is refused first.
    if (route === "/events/stream") {
      expectMethod(call, "GET");
      const credential = known ?? await this.#signed(call, url, NO_BODY);
      if (!credential.permissions.maySubscribeAny) {
        throw new ForbiddenError("subscribe", "*", credential.name);
      }
      return this.#eventStream(url, call, credential, label);
    }
    if (route === "/events") {
      const [bytes, credential] = await this.#signedBody(call, url, known);
      if (!credential.permissions.mayPublishAny) {
        throw new ForbiddenError("publish", "*", credential.name);
      }
      const envelope = messageWithTrace(eventFromBody(parseJsonBody(bytes)), call);
      label.operation = `publish "${envelope.type}"`;
      if (!credential.permissions.mayPublish(envelope.streamName)) {
        throw new ForbiddenError("publish", envelope.streamName, credential.name);
      }
      return jsonAnswer(202, await this.#transport.publish(envelope, lazySignal(call)));
    }
    // The body (and with it the signature) is checked before the name: an
    // unauthenticated caller learns nothing about which names exist.
    if (route.startsWith("/commands/")) {
      const [bytes, credential] = await this.#signedBody(call, url, known);
      const name = messageName(route.slice("/commands/".length), "command");
      label.operation = `send "${name}"`;
      if (!credential.permissions.mayCommand(name)) {
        throw new ForbiddenError("send", name, credential.name);
      }
      this.#expectServed("command", name, credential);
      return await this.#command(name, parseJsonBody(bytes), call, label);
    }
    if (route.startsWith("/queries/")) {
      const [bytes, credential] = await this.#signedBody(call, url, known);
      const name = messageName(route.slice("/queries/".length), "query");
      label.operation = `query "${name}"`;
      if (!credential.permissions.mayQuery(name)) {
        throw new ForbiddenError("query", name, credential.name);
      }
      this.#expectServed("query", name, credential);
      const envelope = queryWithTrace(queryFromBody(name, parseJsonBody(bytes)), call);
      const answer = await this.#query(envelope, preferredWait(call.header("prefer")), label);
      return jsonAnswer(
        200,
        reportedResultAsJson(answer, label.operation, this.#settings.logger),
      );
    }
    throw notFound(path);
  }

  /**
   * Refuses (404) a name this server does not serve: one the allow list
   * leaves out, or, without a list, one the transport says it has no
   * handler for (a listed name is served: its handler may run in another
   * process sharing the store). Judged after the credential's right, so a
   * caller not allowed a name gets 403 whether it exists or not, and the
   * names offered as "did you mean" are only those it may use.
   */
  #expectServed(kind: "command" | "query", name: string, credential: Credential): void {
    const allowed = kind === "command" ? this.#settings.commands : this.#settings.queries;
    let reason: string;
    if (allowed !== undefined) {
      if (allowed.has(name)) return;
      reason = "it is not exposed over HTTP";
    } else {
      if (this.#transport.handles?.(kind, name) !== false) return;
      reason = "no handler is registered for it on this server";
    }
    const permissions = credential.permissions;
    const may = kind === "command" ? permissions.mayCommand : permissions.mayQuery;
    const known = allowed ?? this.#transport.handledNames?.(kind) ?? [];
    const near = nearbyNames(name, [...known].filter((candidate) => may(candidate)));
    const hint = near.length === 0 ? "" : `; did you mean ${near.map((n) => `"${n}"`).join(", ")}?`;
    throw new NotFoundError(kind, name, reason + hint);
  }

  /**
   * Reads the body under the limit and verifies its signature if the
   * credential is not known yet; the body is parsed only once the credential
   * is allowed (by the caller).
   */
  async #signedBody(
    call: IncomingCall,
    url: URL,
    known: Credential | undefined,
  ): Promise<[Uint8Array, Credential]> {
    expectMethod(call, "POST");
    // Any Content-Type is read as JSON: a fetch of a string body says text/plain,
    // curl -d says form-urlencoded, and neither should fail for that.
    const bytes = await call.body(this.#settings.maxBodyBytes);
    return [bytes, known ?? await this.#signed(call, url, bytes)];
  }

  /** The credential whose secret signed the request; throws the 401 refusal otherwise. */
  #signed(call: IncomingCall, url: URL, body: Uint8Array): Promise<Credential> {
    return this.#settings.auth.checkSignature!(
      call.method,
      url.pathname + url.search,
      call.header,
      body,
    );
  }

  /**
   * A query's answer, waited for as long as the client said it waits
   * (`Prefer: wait=<seconds>`, which ordo's client sends from its deadline),
   * and never longer than the handler's `queryTimeout` (a client that sent
   * no `wait=<seconds>` and left would otherwise hold the request, and
   * close() with it, until the handler answered). The query's transport never
   * gets the request's signal: reading it on every query made Deno.serve
   * (2.9) warn that the signal aborts on successful responses, and a query
   * is no wait the client opted into (unlike `sendAndWait`). Its wait ends
   * on the client's word instead, which also reaches a server behind a
   * proxy that keeps the connection open after its client left.
   */
  #query(envelope: QueryEnvelope, wait: number | undefined, label: CallLabel): Promise<unknown> {
    const limit = Math.min(wait ?? Infinity, this.#settings.queryTimeout);
    if (limit === Infinity) return this.#transport.query(envelope);
    return withWaitLimit(
      (options) => this.#transport.query(envelope, options),
      undefined,
      limit,
      label.operation,
    );
  }

  async #command(
    name: string,
    body: unknown,
    call: IncomingCall,
    label: CallLabel,
  ): Promise<Answer> {
    const envelope = messageWithTrace(commandFromBody(name, body), call);
    const wait = preferredWait(call.header("prefer"));
    if (wait === undefined) {
      return jsonAnswer(202, await this.#transport.send(envelope, lazySignal(call)));
    }
    label.operation = `sendAndWait "${name}"`;
    const result = await withWaitLimit(
      (options) => this.#transport.sendAndWait(envelope, options),
      call.signal,
      wait,
      `sendAndWait "${name}"`,
    );
    return jsonAnswer(
      200,
      reportedResultAsJson(result, label.operation, this.#settings.logger),
      {
        "preference-applied": wait === Infinity ? "wait" : `wait=${wait / 1000}`,
      },
    );
  }

  #eventStream(url: URL, call: IncomingCall, credential: Credential, label: CallLabel): Answer {
    const { group, selector } = streamParameters(url.searchParams);
    label.operation = `event stream of group "${group}"`;
    const refused = credential.permissions.refusedSubscription(selector);
    if (refused !== undefined) throw new ForbiddenError("subscribe", refused, credential.name);
    const { events, heartbeat, logger } = this.#settings;
    // Called where nothing catches a throw (a stream's promise handlers): one from the hook is
    // logged, so the stream still closes.
    const onError = (error: unknown) => {
      logger.warn("HTTP event stream failed", { group, error });
      tellHooks([this.#settings.onError], [error], { logger, fields: { group } });
    };
    if (this.#gate.closed) throw new ClosedError("HTTP handler", label.operation);
    const stream = openEventStream(
      { transport: this.#transport, events, heartbeat, onError },
      { group, selector, after: lastEventId(call.header("last-event-id")) },
    );
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
    call.signal?.addEventListener("abort", () => stream.close(), { once: true });
    return { status: 200, headers: EVENT_STREAM_HEADERS, body: stream.body };
  }
}

// The call's signal for a send or a publish, made only if the transport looks
// at it: ordo's in-process, store-backed and NATS transports do not for these
// (an append waits on no handler), and an AbortController per request is a
// cost they would pay for nothing; an HTTP client as the inner transport does.
function lazySignal(call: IncomingCall): TransportCallOptions {
  return {
    get signal() {
      return call.signal;
    },
  };
}

function expectMethod(call: IncomingCall, method: string): void {
  if (call.method !== method) throw methodNotAllowed(call.method, method);
}
