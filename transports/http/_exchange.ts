// The handler's view of one HTTP exchange, whatever holds it: a Web Request
// (the handler's `fetch`), or a server's own request object (the node
// adapter). On Node, building a Request and reading a Response cost more than
// everything ordo does for a query (undici: ~60 µs to make a Request with a
// body, ~50 µs to read a Response body), so the node adapter hands the
// handler the parts directly and writes the answer itself. Both paths run
// the same code from here on.

import { ValidationError } from "../../core/mod.ts";
import { HttpRefusal } from "./_wire.ts";

/** Where a handler that accepts exchanges keeps the function (see the node adapter). */
export const EXCHANGE = Symbol.for("ordo.http.exchange");

/** A request as the handler reads it. */
export interface IncomingCall {
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /** A header's value by lowercase name; `null` when absent. */
  header(name: string): string | null;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal | undefined;
  /** The body's bytes; rejects with {@link bodyTooLarge} as soon as they pass `limit`. */
  body(limit: number): Promise<Uint8Array>;
}

/** An answer as the handler writes it. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or a stream that is still being written (an event stream). */
  readonly body: string | ReadableStream<Uint8Array>;
}

/** A handler of exchanges. */
export type ExchangeHandler = (call: IncomingCall) => Promise<Answer>;

/** The 413 refusal of a body over the limit. */
export function bodyTooLarge(size: number, limit: number): HttpRefusal {
  return new HttpRefusal(
    413,
    new ValidationError("body", size, `is larger than the limit of ${limit} bytes`),
  );
}

const EMPTY = new Uint8Array(0);

/** A Web Request as an exchange. */
export function callOfRequest(request: Request): IncomingCall {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    signal: request.signal,
    body: (limit) => readRequestBody(request, limit),
  };
}

/** An answer as a Web Response. */
export function responseOfAnswer(answer: Answer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * A Request's body, refused past `limit` bytes: at once when `Content-Length`
 * says so, otherwise as soon as the bytes read pass it.
 */
async function readRequestBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw bodyTooLarge(Number(declared), limit);
  if (request.body === null) return EMPTY;
  // A declared length is enforced by the HTTP framing itself: read it in one go.
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(total, limit);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/** The chunks as one array. */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
