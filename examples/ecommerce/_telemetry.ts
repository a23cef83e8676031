// Tracing for the shop's services: with ORDO_TRACES=stdout, each service
// records its spans with OpenTelemetry's SDK and prints one line per span
// (name, trace id, span id, parent), beside its other lines. A deployment
// would register an OTLP exporter here instead; ordo only needs the
// openTelemetry() it returns. Unset, the services trace nothing.
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { type Telemetry, type TraceContext, traceIds, ValidationError } from "../../mod.ts";
import { openTelemetry } from "../../opentelemetry/mod.ts";
import { optional } from "./_env.ts";
import { trace } from "./_trace.ts";

/** A span exporter that prints each span as one line of `service`. */
function lineExporter(service: string): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: { code: 0 }) => void) {
      for (const span of spans) {
        const { traceId, spanId } = span.spanContext();
        const parent = span.parentSpanContext?.spanId ?? "-";
        trace(service, `span ${span.name} trace=${traceId} span=${spanId} parent=${parent}`);
      }
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
}

/** The service's telemetry, from `ORDO_TRACES`; `undefined` when it is unset. */
export function shopTelemetry(service: string): Telemetry | undefined {
  const where = optional("ORDO_TRACES");
  if (where === undefined) return undefined;
  if (where !== "stdout") throw new ValidationError("env.ORDO_TRACES", where, 'must be "stdout"');
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(lineExporter(service))],
  });
  return openTelemetry({ tracerProvider });
}

/** ` [trace <id>]` for a handler's line, when it runs in a trace; empty otherwise. */
export function traceNote(context: TraceContext | undefined): string {
  const ids = traceIds(context);
  return ids === undefined ? "" : ` [trace ${ids.traceId}]`;
}
