/**
 * Trace context over HTTP: the W3C `traceparent` and `tracestate` headers.
 * A client sends its call's context in them; a server reads them (a
 * malformed `traceparent` is ignored) and hands the context to the call.
 *
 * @module
 */

import { type TraceContext, traceContextFrom, TRACEPARENT, TRACESTATE } from "../../../core/mod.ts";

/**
 * `context` as headers, beside `extra`; `extra` itself when there is no context.
 *
 * @example
 * ```ts
 * import { traceHeaders } from "./trace_headers.ts";
 * traceHeaders({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
 * // { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }
 * ```
 */
export function traceHeaders(
  context: TraceContext | undefined,
  extra?: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> | undefined {
  if (context === undefined) return extra;
  const headers: Record<string, string> = { ...extra, [TRACEPARENT]: context.traceparent };
  if (context.tracestate !== undefined) headers[TRACESTATE] = context.tracestate;
  return headers;
}

/**
 * The trace context of a request's headers (by lowercase name), if it has a valid one.
 *
 * @example
 * ```ts
 * import { traceFromHeaders } from "./trace_headers.ts";
 * const headers = new Headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
 * traceFromHeaders((name) => headers.get(name))?.traceparent;
 * ```
 */
export function traceFromHeaders(
  header: (name: string) => string | null,
): TraceContext | undefined {
  const traceparent = header(TRACEPARENT);
  return traceparent === null ? undefined : traceContextFrom(traceparent, header(TRACESTATE));
}
