// The HTTP client's requests: a JSON POST or an event stream's GET, signed,
// sent through the configured fetch, with failures made ordo's errors (a
// peer that cannot be reached, an answer that is not JSON, an error body
// turned back into its class).

import { copyJsonValue, PeerUnreachableError, ValidationError } from "../../../core/mod.ts";
import type { CommandEnvelope, EventSelector } from "../../../core/messaging/mod.ts";
import type { AnsweredCall } from "../wire/mod.ts";
import type { RequestSigner } from "./client_auth.ts";
import { errorFromResponse } from "./_server_answers.ts";

const encoder = new TextEncoder();
const JSON_HEADERS = Object.freeze({ "content-type": "application/json" });

/** What a client's requests need: the server's base URL, how to sign, the fetch to call, extra headers. */
export interface RequestSettings {
  readonly base: string;
  readonly sign: RequestSigner;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly headers: Record<string, string>;
}

/** The requests of one client transport. */
export class HttpRequests {
  readonly #base: string;
  readonly #sign: RequestSigner;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #headers: Record<string, string>;

  constructor(settings: RequestSettings) {
    this.#base = settings.base;
    this.#sign = settings.sign;
    this.#fetch = settings.fetch;
    this.#headers = settings.headers;
  }

  /** POSTs `body` as JSON and resolves the server's JSON answer. */
  async post(
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
    const response = await this.#request(call, {
      method: "POST",
      headers,
      body: bytes,
      signal,
      redirect: "error",
    });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new PeerUnreachableError(
        call.operation,
        url,
        `${DROPPED}: the connection failed while reading the answer: ${(error as Error).message}`,
        { cause: error, requestSent: true },
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

  /** Opens the event stream of `group` after position `after`. */
  async openStream(
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
    // Not redirect: "error" here: with it, Node's fetch left an event stream
    // hanging now and then in the HTTP bus tests (2 runs of 3 under load),
    // and a GET has no body to copy. Calls (POST) do refuse redirects.
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
      const detail = fetchFailure(error);
      const requestSent = droppedAfterSending(error);
      throw new PeerUnreachableError(
        call.operation,
        call.url,
        requestSent ? `${DROPPED}: ${detail}` : detail,
        { cause: error, requestSent },
      );
    }
    if (!response.ok) throw await errorFromResponse(response, call);
    return response;
  }
}

// Requests are sent with `redirect: "error"`. A call is not resent to
// wherever a server points: a 301 or 302 would turn the POST into a GET, a
// signed request's signature covers the URL it was sent to, and a server
// that redirects is one the client's `url` does not name. Not following
// also spares each request the copy of its body that fetch keeps in case it
// must be sent again (undici tees the body stream): about 14 % of what a
// call allocates on Node, and fewer young-generation pauses in the tail.
const REDIRECT_REFUSED = "the server answered with a redirect, which ordo's HTTP client does " +
  "not follow: set the transport's url to the address the server redirects to";

// fetch often says only "fetch failed"; the reason is in its cause: a code
// (ECONNREFUSED, ENOTFOUND on Node), or only a message ("bad port" on Node for
// a port fetch blocks; "tcp connect error: Connection refused" on Deno), so
// the cause's message is given when it has no code. A refused redirect reads
// differently on each runtime ("unexpected redirect" in Node's cause,
// "redirect mode is set to 'error'" in Deno, "UnexpectedRedirect" in Bun).
function fetchFailure(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (/redirect/i.test(`${message} ${cause?.message ?? ""}`)) return REDIRECT_REFUSED;
  if (typeof cause?.code === "string") return `${message} (${cause.code})`;
  const said = typeof cause?.message === "string" ? cause.message : "";
  return said === "" || message.includes(said) ? message : `${message}: ${said}`;
}

const DROPPED = "the connection dropped after the request was sent (the server may have run it)";

// A connection that closed once the request was on its way (the server went
// away while it ran the call), as each runtime says it: "other side closed"
// (UND_ERR_SOCKET) on Node, "connection closed before message completed" on
// Deno, ECONNRESET "The socket connection was closed unexpectedly" on Bun. A
// refused connection (ECONNREFUSED, Deno's "(Connect)") never got the request.
const DROP =
  /UND_ERR_SOCKET|ECONNRESET|EPIPE|other side closed|closed before message completed|closed unexpectedly/i;

function droppedAfterSending(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  return DROP.test(
    `${(error as Error)?.message ?? error} ${cause?.code ?? ""} ${cause?.message ?? ""}`,
  );
}

/** A command as the body of `POST /commands/{name}`. */
export function commandBody(command: CommandEnvelope) {
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
