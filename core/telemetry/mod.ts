/**
 * @module
 * The instrumentation port and what travels with it: the `Telemetry`
 * interface that components report spans and metrics to, `noTelemetry` (the
 * default, which records nothing), W3C trace context in message metadata, and
 * the attribute and metric names ordo uses. `ordo/opentelemetry` implements
 * the port with `@opentelemetry/api`. Web-standard APIs only.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

export {
  type Attributes,
  type AttributeValue,
  type Counter,
  type GaugeObserver,
  type Histogram,
  inheritedTelemetry,
  type InstrumentOptions,
  noTelemetry,
  type Span,
  type SpanKind,
  type SpanOptions,
  type Telemetry,
  type TraceContext,
} from "./telemetry.ts";
export {
  parseTraceparent,
  traceContextFrom,
  traceContextOf,
  traceIds,
  TRACEPARENT,
  type TraceparentParts,
  TRACESTATE,
  withTraceContext,
} from "./trace_context.ts";
export {
  ATTR,
  type AttributeNames,
  errorType,
  METRIC,
  type MetricNames,
  operationAttributes,
  type OperationName,
} from "./conventions.ts";
