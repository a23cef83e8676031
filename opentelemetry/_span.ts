// One OpenTelemetry span behind ordo's Span: failures recorded the way the
// semantic conventions ask (error status, `error.type`, the exception), and
// nothing thrown, whatever the SDK does.

import { type Span as OtelSpan, SpanStatusCode } from "@opentelemetry/api";
import { type Attributes, errorType, type Span, type TraceContext } from "../core/mod.ts";
import { traceContextOfSpan } from "./_span_context.ts";

/** Attributes without their `undefined` values, as OpenTelemetry takes them. */
export function definedAttributes(attributes: Attributes | undefined): Record<string, unknown> {
  if (attributes === undefined) return {};
  // Most are already clean (ordo keeps frozen ones per route and type): handed on as they are.
  let clean = true;
  for (const key in attributes) {
    if (attributes[key] === undefined) {
      clean = false;
      break;
    }
  }
  if (clean) return attributes as Record<string, unknown>;
  const defined: Record<string, unknown> = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) defined[key] = value;
  }
  return defined;
}

/** ordo's view of an OpenTelemetry span. */
export class OpenTelemetrySpan implements Span {
  readonly #span: OtelSpan;
  readonly recording: boolean;
  #context: TraceContext | undefined | null = null;

  constructor(span: OtelSpan) {
    this.#span = span;
    this.recording = span.isRecording();
  }

  get context(): TraceContext | undefined {
    if (this.#context === null) {
      this.#context = traceContextOfSpan(this.#span.spanContext(), this.recording);
    }
    return this.#context;
  }

  setAttributes(attributes: Attributes): void {
    if (!this.recording) return;
    try {
      // The SDK passes over `undefined` values itself.
      this.#span.setAttributes(attributes as never);
    } catch {
      // Telemetry never breaks the work it watches.
    }
  }

  addEvent(name: string, attributes?: Attributes): void {
    if (!this.recording) return;
    try {
      this.#span.addEvent(name, definedAttributes(attributes) as never);
    } catch {
      // As above.
    }
  }

  fail(error: unknown): void {
    if (!this.recording) return;
    try {
      this.#span.setAttribute("error.type", errorType(error));
      if (error instanceof Error) this.#span.recordException(error);
      this.#span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    } catch {
      // As above.
    }
  }

  end(): void {
    try {
      this.#span.end();
    } catch {
      // As above.
    }
  }
}
