// The handler's view of one HTTP request and its answer, whatever holds it:
// a Web Request (the handler's `fetch`), or a server's own request object
// (the node adapter). On Node, building a Request and reading a Response cost
// more than everything ordo does for a query (undici: ~60 µs to make a
// Request with a body, ~50 µs to read a Response body), so the node adapter
// hands the handler the parts directly and writes the answer itself. Both
// paths run the same code from here on.

import { readWebRequestBody } from "./_request_body.ts";

/**
 * Where a handler that accepts incoming calls keeps the function (see the node
 * adapter). The registry key predates this name and stays, so a handler and
 * an adapter from two copies of ordo still find each other.
 *
 * @internal Shared by the handler and the server adapters, not part of the API.
 */
export const CALL_HANDLER = Symbol.for("ordo.http.exchange");

/** A request as the handler reads it. */
export interface IncomingCall {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /** A header's value by lowercase name; `null` when absent. */
  header(name: string): string | null;
  /** Aborts when the client goes away. Read it only for a call that waits (see {@link callOfRequest}). */
  readonly signal: AbortSignal | undefined;
  /**
   * Whether the client went away, as far as is known without reading
   * `signal` for the first time: a call that failed without waiting on it
   * asks this, not the signal.
   */
  wentAway(): boolean;
  /** The body's bytes; rejects with the 413 refusal as soon as they pass `limit`. */
  body(limit: number): Promise<Uint8Array>;
}

/** An answer as the handler writes it. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or a stream that is still being written (an event stream). */
  readonly body: string | ReadableStream<Uint8Array>;
}

/**
 * A handler of incoming calls: the handler without Request and Response objects.
 *
 * @internal Shared by the handler and the server adapters, not part of the API.
 */
export type CallHandler = (call: IncomingCall) => Promise<Answer>;

/** A Web Request as an incoming call. */
export function callOfRequest(request: Request): IncomingCall {
  // Read only by a call that waits (or an event stream): Deno.serve (2.9)
  // warns once a request whose signal was read is answered, as its signal
  // then aborts too (its legacy behaviour). Read here for every request, it
  // warned on the first query; nothing of ordo's listens after the answer.
  let signal: AbortSignal | undefined;
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    get signal() {
      return (signal ??= request.signal);
    },
    wentAway: () => signal?.aborted === true,
    body: (limit) => readWebRequestBody(request, limit),
  };
}

/** An answer as a Web Response. */
export function responseOfAnswer(answer: Answer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
