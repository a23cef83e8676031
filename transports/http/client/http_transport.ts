/**
 * The client side of the HTTP transport: a `Transport` whose calls go to a
 * server running `createHttpHandler`, over `fetch`. Give it to `createBus`
 * and the bus adds what it adds to every transport (contracts, ids,
 * deadlines, retries, the circuit breaker); nothing in the bus knows HTTP.
 *
 * @module
 */

import {
  checkLogger,
  checkOptionalFunction,
  checkOptions,
  type CheckpointStore,
  checkRetryPolicy,
  ClosedError,
  CloseGate,
  consoleLogger,
  inheritedTelemetry,
  type Logger,
  type ParkedMessageStore,
  type Telemetry,
  traceContextOf,
  ValidationError,
} from "../../../core/mod.ts";
import {
  checkEventSelector,
  type CommandEndpoint,
  type CommandEnvelope,
  type EventEndpoint,
  type EventEnvelope,
  type EventSelector,
  type HandlerOptions,
  type PublishReceipt,
  type QueryEndpoint,
  type QueryEnvelope,
  type Registration,
  type SendReceipt,
  tracedHandler,
  type Transport,
  type TransportCallOptions,
} from "../../../core/messaging/mod.ts";
import { createMemoryConsumerStorage } from "../../../stores/memory/mod.ts";
import type { AnsweredCall } from "../wire/mod.ts";
import { createRequestSigner, type HttpClientAuth } from "./client_auth.ts";
import { EventStreamSubscription, type SubscriptionDependencies } from "./_event_subscription.ts";
import { baseUrl, extraHeaders } from "./_option_checks.ts";
import { commandBody, HttpRequests } from "./_http_requests.ts";
import { publishReceipt, sendReceipt } from "./_server_answers.ts";
import { traceHeaders } from "../wire/mod.ts";
import { waitPreference } from "./_wait_preference.ts";

/** Where subscriptions keep their checkpoints (and parked events): any `ConsumerStorage` fits. */
export interface HttpSubscriptionStorage<Tx = unknown> {
  /** Each group's position, committed in one transaction with the handler's `context.tx` writes. */
  readonly checkpoints: CheckpointStore<Tx>;
  /** Where events that kept failing are parked; without it they are only reported to `onParked`. */
  readonly parked?: ParkedMessageStore<Tx>;
}

/** Options of {@link createHttpTransport}. */
export interface CreateHttpTransportOptions<Tx = unknown> {
  /** The server's base URL, its `basePath` included (`http://orders.internal:8080/ordo`). */
  readonly url: string | URL;
  /** Required: `{ bearer }`, `{ hmac: { secret } }`, or `{ none: true }`. */
  readonly auth: HttpClientAuth;
  /** The fetch to call. Default: the global `fetch`. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Headers added to every request (tracing, routing). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Where event subscriptions keep checkpoints and parked events. Default:
   * checkpoints in memory (the memory store's consumer storage; handlers get its
   * `MemoryTransaction` as `context.tx`) and parked events not kept, so a
   * restarted client starts its subscriptions from the beginning. With a
   * PostgreSQL consumer storage, a handler writing through `context.tx`
   * commits with its checkpoint.
   */
  readonly storage?: HttpSubscriptionStorage<Tx>;
  /** Delays between reconnections of an event stream (unlimited attempts). Default 100 ms doubling to 5 s, with jitter. */
  readonly reconnect?: { readonly initialDelay?: number; readonly maxDelay?: number };
  /**
   * Where event subscriptions' handler calls report spans and metrics; a bus
   * over the transport inherits it. Calls carry their trace context in the
   * `traceparent` and `tracestate` headers with or without it. Default: none.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where subscriptions log (a handler failure, a parked event, a dropped
   * event stream and its reconnection), one line each; a bus over this
   * transport inherits it. Default: the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = [
  "url",
  "auth",
  "fetch",
  "headers",
  "storage",
  "reconnect",
  "logger",
  "telemetry",
];

/**
 * Creates an HTTP client transport.
 *
 * Calls: `send` -> `POST /commands/{name}`, `sendAndWait` -> the same with
 * `Prefer: wait=<seconds>`, `query` -> `POST /queries/{name}` (with
 * `Prefer: wait=<seconds>` too), `publish` -> `POST /events`, each with the
 * call's `AbortSignal`. The seconds are those left until the bus's deadline,
 * rounded up: a server that cannot see the client leave (behind a proxy)
 * stops waiting then too; without a deadline, `Prefer: wait` (a query:
 * none). A failure to reach the server, and a 502/503/504 that is not an
 * ordo error body, reject with `PeerUnreachableError` naming the URL (the bus retries it and its breaker
 * counts it); an ordo error body is rebuilt into its class (a 401 is an
 * `UnauthenticatedError`, a 403 a `ForbiddenError`, a 404 a `NotFoundError`);
 * a handler's own error, which the server does not disclose, comes back as a
 * `ServerError` carrying the id under which the server logged it.
 *
 * `subscribe` follows the server's event stream: events reach the handler one
 * at a time in the server's order; the checkpoint moves after the handler and
 * lives in `storage` (in memory by default), and a dropped connection (or a
 * refused one, a 5xx) is reopened from it: at least once, nothing skipped. A
 * server that refuses the stream itself (401 `UnauthenticatedError`, 403
 * `ForbiddenError`, 404 `NotFoundError`) ends the subscription: its `ready`
 * rejects with that error, logged once as an error. Otherwise `ready` waits
 * for the first connection, however long, and rejects with `ClosedError` if
 * the subscription or the transport is closed first. A group name is a
 * checkpoint of this client: two clients with one group each get every event.
 *
 * `handleCommand` and `handleQuery` throw: handlers run on the server.
 *
 * `close()` stops every subscription, waits for the calls in flight (a
 * `sendAndWait` still waiting for its answer is ended with `ClosedError`),
 * and refuses every later call with `ClosedError`; it is idempotent.
 *
 * @throws {ValidationError} on bad options (`auth` is required; an unknown key is refused)
 * @example
 * ```ts
 * import { createBus } from "../../../core/messaging/mod.ts";
 * import { createHttpTransport } from "./http_transport.ts";
 * const bus = createBus({ transport: createHttpTransport({ url: "http://127.0.0.1:8080", auth: { bearer: "s3cret" } }) });
 * // const order = await bus.query("orders/show", { id: "o-1" });
 * await bus.close();
 * ```
 */
export function createHttpTransport<Tx = unknown>(
  options: CreateHttpTransportOptions<Tx>,
): Transport {
  return new HttpClientTransport(options as CreateHttpTransportOptions<unknown>);
}

class HttpClientTransport implements Transport {
  readonly telemetry: Telemetry | undefined;
  readonly logger: Logger;
  readonly #gate = new CloseGate("transport");
  /** Aborted by close(): ends the `sendAndWait` calls still waiting for their answer. */
  readonly #closing = new AbortController();
  /** The server's base URL, as calls use it: what the bus's breaker log names as the peer. */
  readonly url: string;
  readonly #base: string;
  readonly #requests: HttpRequests;
  readonly #subscriptions = new Map<string, EventStreamSubscription>();
  readonly #subscriptionDependencies: SubscriptionDependencies;

  constructor(options: CreateHttpTransportOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ValidationError("options", options, "expected { url, auth }");
    }
    checkOptions(options, OPTION_KEYS);
    this.#base = baseUrl(options.url);
    this.url = this.#base;
    const sign = createRequestSigner(options.auth);
    checkOptionalFunction(options.fetch, "options.fetch");
    this.logger = checkLogger(options.logger, "options.logger", consoleLogger);
    this.#requests = new HttpRequests({
      base: this.#base,
      sign,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      headers: extraHeaders(options.headers),
    });
    this.telemetry = inheritedTelemetry(options.telemetry);
    const storage = options.storage;
    if (storage !== undefined && typeof storage?.checkpoints?.commit !== "function") {
      throw new ValidationError(
        "options.storage",
        storage,
        "expected { checkpoints, parked? } (a ConsumerStorage fits)",
      );
    }
    checkOptions(options.reconnect, ["initialDelay", "maxDelay"], "options.reconnect");
    const reconnect = checkRetryPolicy(
      { initialDelay: 100, maxDelay: 5_000, ...options.reconnect },
      "options.reconnect",
    );
    this.#subscriptionDependencies = {
      open: (group, selector, after, signal) =>
        this.#requests.openStream(group, selector, after, signal),
      // Without storage, checkpoints live in stores/memory's consumer storage
      // (one checkpoint store for the whole codebase, not a second copy here).
      // Parked events are not kept: without storage no one could list them.
      checkpoints: storage?.checkpoints ?? createMemoryConsumerStorage().checkpoints,
      parked: storage?.parked,
      reconnect,
      logger: this.logger,
    };
  }

  send(command: CommandEnvelope, options?: TransportCallOptions): Promise<SendReceipt> {
    const call = this.#call(`send "${command.type}"`, "send", command.type, "/commands/");
    const headers = traceHeaders(traceContextOf(command.metadata));
    return this.#gate.run(
      call.operation,
      async () =>
        sendReceipt(
          await this.#requests.post(call, commandBody(command), options?.signal, headers),
          call,
        ),
    );
  }

  sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const call = this.#call(`sendAndWait "${command.type}"`, "send", command.type, "/commands/");
    const headers = traceHeaders(
      traceContextOf(command.metadata),
      waitPreference(options?.deadline, "wait"),
    );
    return this.#gate.run(call.operation, async () => {
      // The wait (not the sending) is what close() ends.
      const closing = this.#closing.signal;
      const signal = options?.signal === undefined
        ? closing
        : AbortSignal.any([options.signal, closing]);
      try {
        return await endedBy(
          this.#requests.post(call, commandBody(command), signal, headers),
          closing,
        );
      } catch (error) {
        throw closing.aborted ? new ClosedError("transport", call.operation) : error;
      }
    });
  }

  query(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const call = this.#call(`query "${query.name}"`, "query", query.name, "/queries/");
    return this.#gate.run(
      call.operation,
      () =>
        this.#requests.post(
          call,
          { payload: query.payload },
          options?.signal,
          traceHeaders(query.trace, waitPreference(options?.deadline, undefined)),
        ),
    );
  }

  publish(event: EventEnvelope, options?: TransportCallOptions): Promise<PublishReceipt> {
    if (this.#gate.closed) return this.#gate.refuse(`publish "${event.type}"`);
    const body = {
      id: event.id,
      type: event.type,
      data: event.data,
      streamName: event.streamName,
      metadata: event.metadata,
    };
    const call: AnsweredCall = {
      operation: `publish "${event.type}"`,
      action: "publish",
      target: event.streamName,
      url: `${this.#base}/events`,
    };
    const headers = traceHeaders(traceContextOf(event.metadata));
    return this.#gate.run(
      call.operation,
      async () =>
        publishReceipt(await this.#requests.post(call, body, options?.signal, headers), call),
    );
  }

  handleCommand(name: string, _handler: CommandEndpoint): Registration {
    throw new ValidationError(
      "handleCommand",
      name,
      "an HTTP client transport only sends: register the handler on the transport the server's createHttpHandler wraps",
    );
  }

  handleQuery(name: string, _handler: QueryEndpoint): Registration {
    throw new ValidationError(
      "handleQuery",
      name,
      "an HTTP client transport only sends: register the handler on the transport the server's createHttpHandler wraps",
    );
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    this.#gate.ensureOpen(`subscribe group "${group}"`);
    if (typeof group !== "string" || group.length === 0 || group.length > 150) {
      throw new ValidationError(
        "group",
        group,
        "must be a non-empty string of at most 150 characters",
      );
    }
    // The bus checks it too; this transport may be used without one.
    checkEventSelector(selector);
    if (this.#subscriptions.has(group)) {
      throw new ValidationError("group", group, "is already subscribed in this transport");
    }
    const traced = tracedHandler(this.telemetry, group, handler, options, false);
    const subscription = new EventStreamSubscription(
      this.#subscriptionDependencies,
      group,
      selector,
      traced.handler,
      traced.options,
    );
    this.#subscriptions.set(group, subscription);
    // A subscription the server refused has ended: its group is free to subscribe again.
    subscription.ready.catch(() => {
      if (this.#subscriptions.get(group) === subscription) this.#subscriptions.delete(group);
    });
    return {
      ready: subscription.ready,
      stop: async () => {
        if (this.#subscriptions.get(group) === subscription) this.#subscriptions.delete(group);
        await subscription.stop();
      },
    };
  }

  close(): Promise<void> {
    this.#closing.abort();
    return this.#gate.close(async () => {
      const running = [...this.#subscriptions.values()];
      this.#subscriptions.clear();
      await Promise.all(running.map((subscription) => subscription.stop("transport")));
    });
  }

  #call(
    operation: string,
    action: "send" | "query",
    name: string,
    route: string,
  ): AnsweredCall {
    return { operation, action, target: name, url: this.#base + route + name };
  }
}

// The wait ends when close() aborts, whether or not the fetch does: a `fetch`
// option that drops the signal (a wrapper passing `{ method, headers, body }`
// on) kept the call in flight, and close() waiting for it, until the server
// answered.
function endedBy<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
