// A handler with telemetry traces each request as a SERVER span named by its
// method and route (`POST /queries/{name}`), the caller's `traceparent`
// header its parent. The calls it makes on the inner transport see the span's
// context in place of the caller's, so they are its children.

import {
  errorType,
  type MessageMetadata,
  type Telemetry,
  traceContextOf,
  TRACEPARENT,
  TRACESTATE,
  withTraceContext,
} from "../../../core/mod.ts";
import type { QueryEnvelope } from "../../../core/messaging/mod.ts";
import { traceFromHeaders } from "../wire/mod.ts";
import type { Answer, IncomingCall } from "./_incoming_call.ts";

/** The route template of a path below the base path, low in cardinality for a span's name. */
function routeOf(route: string): string {
  if (route.startsWith("/commands/")) return "/commands/{name}";
  if (route.startsWith("/queries/")) return "/queries/{name}";
  if (route === "/events" || route === "/events/stream") return route;
  return "(unknown)";
}

/** Answers `call` with `answer` inside a SERVER span. */
export async function tracedRequest(
  telemetry: Telemetry,
  call: IncomingCall,
  basePath: string,
  answer: (call: IncomingCall) => Promise<Answer>,
): Promise<Answer> {
  const path = new URL(call.url).pathname;
  const route = path.startsWith(basePath) ? routeOf(path.slice(basePath.length)) : "(unknown)";
  const span = telemetry.startSpan(`${call.method} ${basePath}${route}`, {
    kind: "server",
    parent: traceFromHeaders(call.header),
    attributes: {
      "http.request.method": call.method,
      "http.route": `${basePath}${route}`,
      "url.path": path,
    },
  });
  const context = span.context;
  // Delegating, not spreading: a call may keep its members on its prototype (the node adapter's).
  const inner: IncomingCall = context === undefined ? call : {
    method: call.method,
    url: call.url,
    header: (name) =>
      name === TRACEPARENT
        ? context.traceparent
        : name === TRACESTATE
        ? context.tracestate ?? null
        : call.header(name),
    get signal() {
      return call.signal;
    },
    wentAway: () => call.wentAway(),
    body: (limit) => call.body(limit),
  };
  try {
    const result = await answer(inner);
    span.setAttributes({ "http.response.status_code": result.status });
    // HTTP's conventions: a 5xx is the server's failure, so a SERVER span's
    // status is Error with the code as `error.type`; a 4xx is the caller's,
    // and leaves it unset. The error behind the answer is recorded on the
    // inner span that met it; here there is only the code, so the value
    // failed with is no Error (no exception event) and its text is empty (the
    // conventions: no description when the code says it all).
    if (result.status >= 500) span.fail(statusFailure(result.status));
    return result;
  } catch (error) {
    span.setAttributes({ "error.type": errorType(error) });
    span.fail(error);
    throw error;
  } finally {
    span.end();
  }
}

/** What a span fails with for a 5xx answer: `error.type` the code, no message. */
function statusFailure(status: number): { readonly name: string; toString(): string } {
  return { name: String(status), toString: () => "" };
}

/**
 * A command or event with the request's trace context (its header, or the
 * handler's span) in its metadata, unless it carries its producer's already:
 * an ordo client puts that there, and the conventions keep a message's
 * creation context as it was. A sender that only sent the header (curl,
 * another language) gets it this way.
 */
export function messageWithTrace<E extends { readonly metadata: MessageMetadata }>(
  envelope: E,
  call: IncomingCall,
): E {
  if (traceContextOf(envelope.metadata) !== undefined) return envelope;
  const trace = traceFromHeaders(call.header);
  return trace === undefined
    ? envelope
    : { ...envelope, metadata: withTraceContext(envelope.metadata, trace) };
}

/** A query with the request's trace context (queries carry no metadata). */
export function queryWithTrace(envelope: QueryEnvelope, call: IncomingCall): QueryEnvelope {
  const trace = traceFromHeaders(call.header);
  return trace === undefined ? envelope : { ...envelope, trace };
}
