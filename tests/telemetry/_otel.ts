// OpenTelemetry's SDK in a test: a tracer provider whose spans go to an
// in-memory exporter, a meter provider whose metrics a test collects when it
// asks, and ordo's telemetry over both. The providers are passed to
// openTelemetry() rather than registered globally, so each test has its own;
// tests/telemetry/global_registration.test.ts checks the global path.
import type { Attributes as OtelAttributes, HrTime } from "@opentelemetry/api";
import {
  type DataPoint,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { Telemetry } from "../../core/mod.ts";
import { openTelemetry } from "../../opentelemetry/mod.ts";

/** A metric reader that exports nothing by itself: the test collects. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One recorded data point, flattened for assertions. */
export interface Point {
  readonly name: string;
  readonly unit: string;
  readonly attributes: OtelAttributes;
  /** A sum's or gauge's value; a histogram's count and sum. */
  readonly value: number | { readonly count: number; readonly sum: number };
}

/** A span as tests read it. */
export interface SpanRecord {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: OtelAttributes;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  readonly status: number;
  readonly events: readonly string[];
  readonly start: HrTime;
}

/** The SDK wired to in-memory sinks, and ordo's telemetry over it. */
export class OtelHarness {
  readonly exporter = new InMemorySpanExporter();
  readonly tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.exporter)],
  });
  readonly reader = new CollectingReader();
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  readonly telemetry: Telemetry = openTelemetry({
    tracerProvider: this.tracerProvider,
    meterProvider: this.meterProvider,
  });

  /** Every span ended so far, oldest first. */
  spans(): SpanRecord[] {
    return this.exporter.getFinishedSpans().map(record);
  }

  /** The spans named `name`. */
  named(name: string): SpanRecord[] {
    return this.spans().filter((span) => span.name === name);
  }

  /** The one span named `name`; fails when there is not exactly one. */
  one(name: string): SpanRecord {
    const found = this.named(name);
    if (found.length !== 1) {
      throw new Error(
        `expected one span "${name}", found ${found.length} among: ${
          this.spans().map((s) => s.name).join(", ")
        }`,
      );
    }
    return found[0];
  }

  /** Every data point of the metrics collected now. */
  async points(): Promise<Point[]> {
    const { resourceMetrics } = await this.reader.collect();
    return flatten(resourceMetrics);
  }

  /** The data points of metric `name`. */
  async metric(name: string): Promise<Point[]> {
    return (await this.points()).filter((point) => point.name === name);
  }

  async shutdown(): Promise<void> {
    await this.tracerProvider.shutdown();
    await this.meterProvider.shutdown();
  }
}

function record(span: ReadableSpan): SpanRecord {
  return {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: span.attributes,
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
    })),
    status: span.status.code,
    events: span.events.map((event) => event.name),
    start: span.startTime,
  };
}

function flatten(metrics: ResourceMetrics): Point[] {
  const points: Point[] = [];
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints as DataPoint<unknown>[]) {
        const v = point.value as number | { count: number; sum?: number };
        points.push({
          name: metric.descriptor.name,
          unit: metric.descriptor.unit,
          attributes: point.attributes,
          value: typeof v === "number" ? v : { count: v.count, sum: v.sum ?? 0 },
        });
      }
    }
  }
  return points;
}

/** OpenTelemetry's span kinds by number, as ReadableSpan reports them. */
export const KIND = { internal: 0, server: 1, client: 2, producer: 3, consumer: 4 } as const;
