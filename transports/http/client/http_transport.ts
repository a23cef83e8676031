/**
 * The client side of the HTTP transport: a `Transport` whose calls go to a
 * server running `createHttpHandler`, over `fetch`. Give it to `createBus`
 * and the bus adds what it adds to every transport (contracts, ids,
 * deadlines, retries, the circuit breaker); nothing in the bus knows HTTP.
 *
 * @module
 */

import {
  type CheckpointStore,
  checkRetryPolicy,
  copyJsonValue,
  type ParkedMessageStore,
  PeerUnreachableError,
  validateCategory,
  ValidationError,
} from "../../../core/mod.ts";
import {
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
  serviceOf,
  type Transport,
  type TransportCallOptions,
} from "../../../core/messaging/mod.ts";
import { createMemoryConsumerStorage } from "../../../stores/memory/mod.ts";
import type { AnsweredCall } from "../wire/mod.ts";
import { createRequestSigner, type HttpClientAuth, type RequestSigner } from "./client_auth.ts";
import { EventStreamSubscription, type SubscriptionDependencies } from "./_event_subscription.ts";
import { baseUrl, extraHeaders } from "./_option_checks.ts";
import { errorFromResponse, publishReceipt, sendReceipt } from "./_server_answers.ts";

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
}

/**
 * Creates an HTTP client transport.
 *
 * Calls: `send` -> `POST /commands/{name}`, `sendAndWait` -> the same with
 * `Prefer: wait`, `query` -> `POST /queries/{name}`, `publish` -> `POST /events`,
 * each with the call's `AbortSignal`. A failure to reach the server, and a
 * 502/503/504 that is not an ordo error body, reject with
 * `PeerUnreachableError` naming the URL (the bus retries it and its breaker
 * counts it); an ordo error body is rebuilt into its class (a 401 is an
 * `UnauthenticatedError`, a 403 a `ForbiddenError`, a 404 a `NotFoundError`);
 * a handler's own error, which the server does not disclose, comes back as a
 * `ServerError` carrying the id under which the server logged it.
 *
 * `subscribe` follows the server's event stream: events reach the handler one
 * at a time in the server's order; the checkpoint moves after the handler and
 * lives in `storage` (in memory by default), and a dropped connection is
 * reopened from it: at least once, nothing skipped. A group name is a
 * checkpoint of this client: two clients with one group each get every event.
 *
 * `handleCommand` and `handleQuery` throw: handlers run on the server.
 *
 * @throws {ValidationError} on bad options (`auth` is required)
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

const encoder = new TextEncoder();
const JSON_HEADERS = Object.freeze({ "content-type": "application/json" });
const WAIT = Object.freeze({ prefer: "wait" });

class HttpClientTransport implements Transport {
  readonly #base: string;
  readonly #sign: RequestSigner;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #headers: Record<string, string>;
  readonly #subscriptions = new Map<string, EventStreamSubscription>();
  readonly #subscriptionDependencies: SubscriptionDependencies;

  constructor(options: CreateHttpTransportOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ValidationError("options", options, "expected { url, auth }");
    }
    this.#base = baseUrl(options.url);
    this.#sign = createRequestSigner(options.auth);
    if (options.fetch !== undefined && typeof options.fetch !== "function") {
      throw new ValidationError("options.fetch", options.fetch, "must be a function");
    }
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#headers = extraHeaders(options.headers);
    const storage = options.storage;
    if (storage !== undefined && typeof storage?.checkpoints?.commit !== "function") {
      throw new ValidationError(
        "options.storage",
        storage,
        "expected { checkpoints, parked? } (a ConsumerStorage fits)",
      );
    }
    const reconnect = checkRetryPolicy(
      { initialDelay: 100, maxDelay: 5_000, ...options.reconnect },
      "options.reconnect",
    );
    this.#subscriptionDependencies = {
      open: (group, selector, after, signal) => this.#openStream(group, selector, after, signal),
      // Without storage, checkpoints live in stores/memory's consumer storage
      // (one checkpoint store for the whole codebase, not a second copy here).
      // Parked events are not kept: without storage no one could list them.
      checkpoints: storage?.checkpoints ?? createMemoryConsumerStorage().checkpoints,
      parked: storage?.parked,
      reconnect,
    };
  }

  async send(command: CommandEnvelope, options?: TransportCallOptions): Promise<SendReceipt> {
    const call = this.#call(`send "${command.type}"`, "send", command.type, "/commands/");
    return sendReceipt(await this.#post(call, commandBody(command), options?.signal), call);
  }

  async sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const call = this.#call(`sendAndWait "${command.type}"`, "send", command.type, "/commands/");
    return await this.#post(call, commandBody(command), options?.signal, WAIT);
  }

  async query(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const call = this.#call(`query "${query.name}"`, "query", query.name, "/queries/");
    return await this.#post(call, { payload: query.payload }, options?.signal);
  }

  async publish(event: EventEnvelope, options?: TransportCallOptions): Promise<PublishReceipt> {
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
    return publishReceipt(await this.#post(call, body, options?.signal), call);
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
    if (typeof group !== "string" || group.length === 0 || group.length > 150) {
      throw new ValidationError(
        "group",
        group,
        "must be a non-empty string of at most 150 characters",
      );
    }
    if (Array.isArray(selector)) {
      if (selector.length === 0) {
        throw new ValidationError("events", selector, "name at least one event");
      }
      selector.forEach((name, i) => serviceOf(name, `events[${i}]`));
    } else {
      validateCategory((selector as { category?: unknown } | null)?.category, "events.category");
    }
    if (this.#subscriptions.has(group)) {
      throw new ValidationError("group", group, "is already subscribed in this transport");
    }
    const subscription = new EventStreamSubscription(
      this.#subscriptionDependencies,
      group,
      selector,
      handler,
      options,
    );
    this.#subscriptions.set(group, subscription);
    return {
      ready: subscription.ready,
      stop: async () => {
        if (this.#subscriptions.get(group) === subscription) this.#subscriptions.delete(group);
        await subscription.stop();
      },
    };
  }

  async close(): Promise<void> {
    const running = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    await Promise.all(running.map((subscription) => subscription.stop()));
  }

  #call(
    operation: string,
    action: "send" | "query",
    name: string,
    route: string,
  ): AnsweredCall {
    return { operation, action, target: name, url: this.#base + route + name };
  }

  async #post(
    call: AnsweredCall,
    body: unknown,
    signal: AbortSignal | undefined,
    extra?: Record<string, string>,
  ): Promise<unknown> {
    const url = call.url;
    const what = call.action === "send" ? "command" : call.action === "query" ? "query" : "event";
    const bytes = encoder.encode(jsonOf(body, what));
    const auth = await this.#sign("POST", url, bytes);
    const headers = { ...this.#headers, ...JSON_HEADERS, ...auth, ...extra };
    const response = await this.#request(call, { method: "POST", headers, body: bytes, signal });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new PeerUnreachableError(
        call.operation,
        url,
        `the connection failed while reading the answer: ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new PeerUnreachableError(
        call.operation,
        url,
        `the server's answer is not JSON: ${text.slice(0, 80)}`,
        { cause: error },
      );
    }
  }

  async #openStream(
    group: string,
    selector: EventSelector,
    after: bigint | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    const params = new URLSearchParams({ group });
    if (Array.isArray(selector)) params.set("names", selector.join(","));
    else params.set("category", (selector as { category: string }).category);
    const url = `${this.#base}/events/stream?${params}`;
    const headers: Record<string, string> = {
      ...this.#headers,
      accept: "text/event-stream",
      ...(await this.#sign("GET", url, undefined)),
    };
    if (after !== undefined) headers["last-event-id"] = String(after);
    const call: AnsweredCall = {
      operation: `event stream of group "${group}"`,
      action: "subscribe",
      target: Array.isArray(selector)
        ? selector.join(",")
        : (selector as { category: string }).category,
      url,
    };
    const response = await this.#request(call, { method: "GET", headers, signal });
    if (
      response.body === null ||
      !(response.headers.get("content-type") ?? "").startsWith("text/event-stream")
    ) {
      await response.body?.cancel();
      throw new PeerUnreachableError(
        call.operation,
        url,
        `the server answered ${response.headers.get("content-type")}, not an event stream`,
      );
    }
    return response;
  }

  async #request(call: AnsweredCall, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.#fetch(call.url, init);
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new PeerUnreachableError(call.operation, call.url, fetchFailure(error), {
        cause: error,
      });
    }
    if (!response.ok) throw await errorFromResponse(response, call);
    return response;
  }
}

// fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is in its cause.
function fetchFailure(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  const code = ((error as { cause?: { code?: unknown } })?.cause)?.code;
  return typeof code === "string" ? `${message} (${code})` : message;
}

function commandBody(command: CommandEnvelope) {
  return { id: command.id, data: command.data, key: command.key, metadata: command.metadata };
}

// JSON.stringify refuses a bigint or a cycle with a TypeError; core's JSON
// check then names the path of the offending value (`command.data.total`).
function jsonOf(body: unknown, what: string): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    copyJsonValue(body, what);
    throw new ValidationError(
      what,
      undefined,
      `cannot be sent as JSON: ${(error as Error).message}`,
    );
  }
}
