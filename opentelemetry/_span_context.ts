// ordo's TraceContext (W3C strings) and OpenTelemetry's SpanContext, both
// ways. Written here rather than taken from a propagator, so the entry needs
// nothing beyond @opentelemetry/api.

import { createTraceState, isSpanContextValid, type SpanContext } from "@opentelemetry/api";
import { parseTraceparent, type TraceContext } from "../core/mod.ts";

/** A remote span context from a trace context; `undefined` when it is malformed. */
export function spanContextOf(context: TraceContext): SpanContext | undefined {
  const parts = parseTraceparent(context.traceparent);
  if (parts === undefined) return undefined;
  const spanContext: SpanContext = {
    traceId: parts.traceId,
    spanId: parts.spanId,
    traceFlags: parts.flags & 0xff,
    isRemote: true,
  };
  if (context.tracestate === undefined) return spanContext;
  try {
    return { ...spanContext, traceState: createTraceState(context.tracestate) };
  } catch {
    return spanContext;
  }
}

/** The trace context of a span context; `undefined` when it is not valid (checked unless the span is `recording`). */
export function traceContextOfSpan(
  spanContext: SpanContext,
  recording = false,
): TraceContext | undefined {
  // A span the SDK records has ids it made: checking them again is work for nothing.
  if (!recording && !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate === undefined || tracestate === ""
    ? { traceparent }
    : { traceparent, tracestate };
}
