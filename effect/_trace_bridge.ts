// Effect's spans and ordo's traces, joined both ways without either knowing
// the other's tracer:
// - out of Effect: an append, read or bus call made inside `Effect.withSpan`
//   carries that span as its `trace` option, so ordo's span for it (with
//   telemetry) is the Effect span's child and the context stored with the
//   message continues the Effect trace;
// - into Effect: a handler written as an Effect runs with ordo's context
//   (`context.trace`, the process span) as its parent span, so the spans the
//   handler makes with `Effect.withSpan` are children of ordo's.
// Only W3C ids cross (32 and 16 lowercase hex digits, as Effect's own tracer
// and OpenTelemetry's make them); a custom tracer's other ids are left out.
import { Context, Effect, Tracer } from "effect";
import { parseTraceparent, type TraceContext } from "../core/mod.ts";

/** The span an effect runs in, as ordo's trace context; `undefined` unless its ids are W3C ones. */
export function traceOf(span: Tracer.AnySpan): TraceContext | undefined {
  const traceparent = `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`;
  // The core's parser holds it to W3C's form (lowercase hex, neither id all zeros).
  return parseTraceparent(traceparent) === undefined ? undefined : { traceparent };
}

/**
 * Runs `call` with the trace of the span the effect runs in (when there is
 * one and the caller gave no `trace` of its own).
 */
export function withCurrentTrace<A, E, R>(
  given: TraceContext | undefined,
  call: (trace: TraceContext | undefined) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E, R> {
  if (given !== undefined) return call(given);
  // Read from the fiber's context in the same step (a flatMap over serviceOption costs a step more).
  return Effect.withFiber((fiber) => {
    const span = Context.getOrUndefined(fiber.context, Tracer.ParentSpan);
    return call(span === undefined ? undefined : traceOf(span));
  });
}

/** `options` with `trace` set, or as they are when there is none to set. */
export function tracedOptions<O extends { readonly trace?: TraceContext }>(
  options: O | undefined,
  trace: TraceContext | undefined,
): O | undefined {
  if (trace === undefined) return options;
  // Options that are not an object are left for the store or bus to refuse, as given.
  if (options !== undefined && (typeof options !== "object" || options === null)) return options;
  if (options?.trace !== undefined) return options;
  return { ...options, trace } as O;
}

/** `effect` under ordo's span (a handler's `context.trace`) as its parent, when given one. */
export function underOrdoTrace<A, E, R>(
  effect: Effect.Effect<A, E, R>,
  trace: TraceContext | undefined,
): Effect.Effect<A, E, R> {
  const parts = parseTraceparent(trace?.traceparent);
  if (parts === undefined) return effect;
  return Effect.withParentSpan(
    effect,
    Tracer.externalSpan({
      traceId: parts.traceId,
      spanId: parts.spanId,
      sampled: (parts.flags & 1) === 1,
    }),
  );
}
