// Routes each incoming call of a handler to its inner transport: the path to
// a transport call, the body to its envelope, the result (or error) to an
// answer. Refused requests (401, 404, 405, 413) are answered before any
// transport call; authentication is judged before the route, so routes are
// not revealed to unauthenticated callers.

import {
  type EventStore,
  type MessageMetadata,
  type Telemetry,
  traceContextOf,
  ValidationError,
  withTraceContext,
} from "../../../core/mod.ts";
import {
  type Transport,
  type TransportCallOptions,
  unknownQueryError,
} from "../../../core/messaging/mod.ts";
import { type EventStreamChannel, openEventStream } from "./_event_stream.ts";
import type { Answer, IncomingCall } from "./_incoming_call.ts";
import { errorAnswer, jsonAnswer, refusalAnswer } from "./_json_answer.ts";
import { HttpRefusal, methodNotAllowed, notFound } from "./_refusals.ts";
import { commandFromBody, eventFromBody, parseJsonBody, queryFromBody } from "./_request_bodies.ts";
import {
  lastEventId,
  messageName,
  preferredWait,
  streamParameters,
} from "./_request_parameters.ts";
import { withWaitLimit } from "./_wait_limit.ts";
import { tracedRequest } from "./_request_span.ts";
import { traceFromHeaders } from "../wire/mod.ts";
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
  readonly onError: (error: unknown) => void;
  /** Traces each request when set (its own, or the inner transport's). */
  readonly telemetry: Telemetry | undefined;
}

const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Asks nginx-style proxies not to buffer the stream.
  "x-accel-buffering": "no",
});

/** Answers the calls of one handler; keeps its open event streams so `close` can end them. */
export class RequestDispatcher {
  readonly #settings: DispatcherSettings;
  readonly #transport: Transport;
  readonly #base: string;
  readonly #streams = new Set<EventStreamChannel>();

  constructor(settings: DispatcherSettings) {
    this.#settings = settings;
    this.#transport = settings.transport;
    this.#base = settings.basePath;
  }

  /** Answers one call; never rejects. */
  handle(call: IncomingCall): Promise<Answer> {
    const telemetry = this.#settings.telemetry;
    if (telemetry === undefined) return this.#answer(call);
    return tracedRequest(telemetry, call, this.#base, (traced) => this.#answer(traced));
  }

  async #answer(call: IncomingCall): Promise<Answer> {
    try {
      return await this.#route(call);
    } catch (error) {
      if (error instanceof HttpRefusal) return refusalAnswer(error);
      const answer = errorAnswer(error);
      if (answer.status === 500) this.#settings.onError(error);
      return answer;
    }
  }

  /** Ends every open event stream. */
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
    const refused = this.#settings.auth.checkHeaders(call.header);
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
        messageName(route.slice("/commands/".length), "command", this.#settings.commands),
        body,
        call,
      );
    }
    if (route.startsWith("/queries/")) {
      const body = await this.#jsonBody(call, url);
      return await this.#query(
        messageName(route.slice("/queries/".length), "query", this.#settings.queries),
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
    const bytes = await call.body(this.#settings.maxBodyBytes);
    await this.#checkSignature(call, url, bytes);
    return parseJsonBody(bytes);
  }

  async #checkSignature(call: IncomingCall, url: URL, body: Uint8Array): Promise<void> {
    const auth = this.#settings.auth;
    if (auth.checkSignature === undefined) return;
    const refused = await auth.checkSignature(
      call.method,
      url.pathname + url.search,
      call.header,
      body,
    );
    if (refused !== undefined) throw refused;
  }

  async #command(name: string, body: unknown, call: IncomingCall): Promise<Answer> {
    const envelope = withCallTrace(commandFromBody(name, body), call);
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
    const trace = traceFromHeaders(call.header);
    const query = queryFromBody(name, body);
    const envelope = trace === undefined ? query : { ...query, trace };
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
    const envelope = withCallTrace(eventFromBody(body), call);
    return jsonAnswer(202, await this.#transport.publish(envelope, lazySignal(call)));
  }

  #eventStream(url: URL, call: IncomingCall): Answer {
    const { events, heartbeat, onError } = this.#settings;
    const stream = openEventStream(
      { transport: this.#transport, events, heartbeat, onError },
      { ...streamParameters(url.searchParams), after: lastEventId(call.header("last-event-id")) },
    );
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
    call.signal?.addEventListener("abort", () => stream.close(), { once: true });
    return { status: 200, headers: EVENT_STREAM_HEADERS, body: stream.body };
  }
}

// The call's signal, made only if the transport looks at it: in-process
// transports never do, and an AbortController per request is a cost they would pay for nothing.
function lazySignal(call: IncomingCall): TransportCallOptions {
  return {
    get signal() {
      return call.signal;
    },
  };
}

// A message's trace context is its producer's and stays as sent (an ordo
// client puts it in the metadata); a sender that only gave the header (curl,
// another language) has the request's context (its header, or the handler's
// span) put there, where the inner transport carries it to the handler.
function withCallTrace<E extends { readonly metadata: MessageMetadata }>(
  envelope: E,
  call: IncomingCall,
): E {
  if (traceContextOf(envelope.metadata) !== undefined) return envelope;
  const trace = traceFromHeaders(call.header);
  return trace === undefined
    ? envelope
    : { ...envelope, metadata: withTraceContext(envelope.metadata, trace) };
}

function expectMethod(call: IncomingCall, method: string): void {
  if (call.method !== method) throw methodNotAllowed(call.method, method);
}
