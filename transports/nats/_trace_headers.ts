// Trace context of a query over NATS: queries carry no metadata, so the
// caller's context goes in the request's `traceparent` and `tracestate`
// headers, as over HTTP. Commands and events need none of this: their
// producer's context is in their metadata.
import type { MsgHdrs } from "@nats-io/nats-core";
import { type TraceContext, traceContextFrom, TRACEPARENT, TRACESTATE } from "../../core/mod.ts";
import type { HeadersFactory } from "../../stores/nats/jetstream/mod.ts";

/** `context` as NATS headers made by `headers`; `undefined` when there is no context. */
export function traceHeaders(
  context: TraceContext | undefined,
  headers: HeadersFactory,
): MsgHdrs | undefined {
  if (context === undefined) return undefined;
  const made = headers();
  made.set(TRACEPARENT, context.traceparent);
  if (context.tracestate !== undefined) made.set(TRACESTATE, context.tracestate);
  return made;
}

/** The trace context of a request's headers, if it has a valid one (a malformed one is ignored). */
export function traceFromHeaders(headers: MsgHdrs | undefined): TraceContext | undefined {
  if (headers === undefined || !headers.has(TRACEPARENT)) return undefined;
  const tracestate = headers.has(TRACESTATE) ? headers.get(TRACESTATE) : undefined;
  return traceContextFrom(headers.get(TRACEPARENT), tracestate);
}
