// openTelemetry() with OpenTelemetry's global providers, registered the way
// ../shared/RUNTIMES.md measured works on Node, Bun and Deno (no register()
// in SDK 2.x: set the tracer provider, the AsyncLocalStorage context manager
// and the W3C propagator by hand). Before registration it is disabled, and
// what is made with it costs nothing; after, spans go to the global
// provider, a span with no parent given joins the active context, and the
// traceparent ordo writes is the one the W3C propagator writes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { context, metrics, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createBus, createInProcessTransport, createMemoryStore, traceIds } from "../../mod.ts";
import { openTelemetry } from "../../opentelemetry/mod.ts";

const PARENT = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

describe("openTelemetry() with nothing registered", () => {
  it("is disabled: what is made with it is not instrumented, and a span passes its parent on", async () => {
    const telemetry = openTelemetry();
    assert.equal(telemetry.enabled, false);
    const bus = createBus({ transport: createInProcessTransport({ telemetry }) });
    assert.equal(bus.telemetry, undefined);
    await bus.close();
    const store = createMemoryStore({ telemetry });
    assert.equal(store.telemetry, undefined, "the store is not wrapped");
    const span = telemetry.startSpan("send users/lock", { kind: "producer", parent: PARENT });
    assert.equal(span.recording, false);
    assert.deepEqual(span.context, PARENT);
    span.end();
  });
});

describe("openTelemetry() over globally registered providers", () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const meterProvider = new MeterProvider();
  before(() => {
    assert.ok(trace.setGlobalTracerProvider(tracerProvider));
    assert.ok(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
    assert.ok(propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
    assert.ok(metrics.setGlobalMeterProvider(meterProvider));
  });
  after(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
    metrics.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });

  it("records to the global provider, joining the active context when no parent is given", async () => {
    const telemetry = openTelemetry();
    assert.equal(telemetry.enabled, true);
    const bus = createBus({ transport: createInProcessTransport({ telemetry }) });
    bus.handleQuery("orders/show", (payload) => payload);
    const outer = trace.getTracer("test").startSpan("GET /orders/1");
    await context.with(trace.setSpan(context.active(), outer), () => bus.query("orders/show", 1));
    outer.end();
    const detached = createBus({
      transport: createInProcessTransport({ telemetry: openTelemetry({ activeContext: false }) }),
    });
    detached.handleQuery("orders/show", (payload) => payload);
    await context.with(
      trace.setSpan(context.active(), outer),
      () => detached.query("orders/show", 2),
    );
    await Promise.all([bus.close(), detached.close()]);

    const queries = exporter.getFinishedSpans().filter((s) => s.name === "query orders/show");
    assert.equal(queries.length, 2);
    assert.equal(queries[0].parentSpanContext?.spanId, outer.spanContext().spanId);
    assert.equal(queries[0].spanContext().traceId, outer.spanContext().traceId);
    assert.equal(queries[1].parentSpanContext, undefined, "activeContext: false starts a trace");
  });

  it("writes the traceparent the W3C propagator writes, and reads one back as the parent", () => {
    const span = openTelemetry().startSpan("append order", { kind: "client", parent: PARENT });
    const carrier: Record<string, string> = {};
    const ids = traceIds(span.context)!;
    propagation.inject(
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: ids.traceId,
        spanId: ids.spanId,
        traceFlags: 1,
      }),
      carrier,
    );
    span.end();
    assert.equal(span.context?.traceparent, carrier.traceparent);
    const recorded = exporter.getFinishedSpans().find((s) => s.name === "append order")!;
    assert.equal(recorded.spanContext().traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(recorded.parentSpanContext?.spanId, "00f067aa0ba902b7");
  });
});
