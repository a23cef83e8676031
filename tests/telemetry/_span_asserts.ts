// What the trace tests assert of recorded spans, shared by the bus and NATS trace tests.
import assert from "node:assert/strict";
import { type TraceContext, traceIds } from "../../mod.ts";
import type { SpanRecord } from "./_otel.ts";

/** OpenTelemetry's SpanStatusCode.ERROR. */
export const ERROR = 2;

/** `child` is `parent`'s child, in its trace. */
export function assertChild(child: SpanRecord, parent: SpanRecord): void {
  assert.equal(child.traceId, parent.traceId, `${child.name} is in ${parent.name}'s trace`);
  assert.equal(child.parentSpanId, parent.spanId, `${child.name} is ${parent.name}'s child`);
}

/** `span` links to `to`, and to nothing else. */
export function assertLinked(span: SpanRecord, to: SpanRecord): void {
  assert.deepEqual(span.links, [{ traceId: to.traceId, spanId: to.spanId }]);
}

/** The span id in a trace context. */
export function spanIdOf(context: TraceContext | undefined): string | undefined {
  return traceIds(context)?.spanId;
}

/** Resolves `called` with what `call` was called with, once. */
export function nextCall<T>(): { readonly called: Promise<T>; readonly call: (value: T) => void } {
  let call!: (value: T) => void;
  const called = new Promise<T>((resolve) => (call = resolve));
  return { called, call };
}
