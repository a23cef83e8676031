// Effect's spans and ordo's traces join both ways: what an effect does inside
// `Effect.withSpan` (appends, reads, bus calls) is that span's child in ordo's
// telemetry, and the spans an Effect handler makes are children of ordo's
// process span, so one trace runs from the caller's Effect span through ordo
// into the handler's Effect spans. Effect's own tracer makes the Effect spans
// here (no OpenTelemetry layer for Effect); ordo's spans go to the SDK.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Effect, Layer, Option, type Tracer } from "effect";
import fc from "fast-check";
import { parseTraceparent } from "../../core/mod.ts";
import {
  Bus,
  busLayer,
  EventStore,
  inProcessTransport,
  memoryLayer,
  startConsumer,
  storeBackedTransport,
} from "../../effect/mod.ts";
import { traceOf } from "../../effect/_trace_bridge.ts";
import { OtelHarness } from "../telemetry/_otel.ts";
import { nextCall } from "../telemetry/_span_asserts.ts";

interface Ids {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
}

// The Effect span the code runs in, with its parent's id.
const currentIds: Effect.Effect<Ids, never> = Effect.map(
  Effect.orDie(Effect.currentSpan),
  (span: Tracer.Span) => ({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: Option.getOrUndefined(span.parent)?.spanId,
  }),
);

// The span the code runs in, whatever made it (ordo's, outside Effect, is an external span).
const parentIds: Effect.Effect<{ readonly traceId: string; readonly spanId: string }, never> =
  Effect.map(
    Effect.orDie(Effect.currentParentSpan),
    (span) => ({ traceId: span.traceId, spanId: span.spanId }),
  );

describe("Effect spans and ordo's traces", () => {
  let otel: OtelHarness;
  beforeEach(() => {
    otel = new OtelHarness();
  });
  afterEach(async () => {
    await otel.shutdown();
  });

  it("an append inside Effect.withSpan is that span's child, and its message carries the Effect trace", async () => {
    const program = Effect.gen(function* () {
      const store = yield* EventStore;
      const request = yield* currentIds;
      yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
      const [stored] = yield* store.readStream("order-1");
      return { request, stored };
    }).pipe(Effect.withSpan("request"));
    const { request, stored } = await Effect.runPromise(
      Effect.provide(program, memoryLayer({ telemetry: otel.telemetry })),
    );
    const append = otel.one("append order");
    assert.equal(append.traceId, request.traceId);
    assert.equal(append.parentSpanId, request.spanId);
    // The context stored with the message is the append span's, in the Effect trace.
    const carried = parseTraceparent(stored.metadata.traceparent);
    assert.equal(carried?.traceId, request.traceId);
    assert.equal(carried?.spanId, append.spanId);
    // The read made in the span is traced in it too.
    assert.equal(otel.one("read order").parentSpanId, request.spanId);
  });

  it("outside any Effect span an append starts its own trace", async () => {
    const program = Effect.gen(function* () {
      const store = yield* EventStore;
      yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
    });
    await Effect.runPromise(Effect.provide(program, memoryLayer({ telemetry: otel.telemetry })));
    assert.equal(otel.one("append order").parentSpanId, undefined);
  });

  it("a trace given in the options wins over the Effect span", async () => {
    const given = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const program = Effect.gen(function* () {
      const store = yield* EventStore;
      yield* store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }], {
        trace: { traceparent: given },
      });
    }).pipe(Effect.withSpan("request"));
    await Effect.runPromise(Effect.provide(program, memoryLayer({ telemetry: otel.telemetry })));
    const append = otel.one("append order");
    assert.equal(append.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(append.parentSpanId, "b7ad6b7169203331");
  });

  it("a command sent inside an Effect span reaches an Effect handler whose spans are children of ordo's process span", async () => {
    const handled = nextCall<Ids>();
    const program = Effect.scoped(Effect.gen(function* () {
      const bus = yield* Bus;
      yield* bus.handleCommand(
        "users/lock",
        () =>
          Effect.flatMap(currentIds, (ids) => Effect.sync(() => handled.call(ids))).pipe(
            Effect.withSpan("lock the user"),
          ),
      );
      const request = yield* Effect.withSpan(
        Effect.flatMap(
          currentIds,
          (ids) => Effect.as(bus.send({ type: "users/lock", data: { id: "u-1" } }), ids),
        ),
        "request",
      );
      return { request, handler: yield* Effect.promise(() => handled.called) };
    }));
    const layer = busLayer({ transport: storeBackedTransport() }).pipe(
      Layer.provideMerge(memoryLayer({ telemetry: otel.telemetry })),
    );
    const { request, handler } = await Effect.runPromise(Effect.provide(program, layer));
    const send = otel.one("send users/lock");
    const process = otel.one("process users/lock");
    assert.equal(send.parentSpanId, request.spanId, "ordo's send span under the Effect request");
    assert.equal(process.parentSpanId, send.spanId, "a command's process span under its send");
    // The handler's own Effect span: same trace, under ordo's process span.
    assert.equal(handler.traceId, request.traceId);
    assert.equal(handler.parentSpanId, process.spanId);
  });

  it("a query's Effect handler runs under ordo's process span, in the caller's trace", async () => {
    const program = Effect.scoped(Effect.gen(function* () {
      const bus = yield* Bus;
      yield* bus.handleQuery("users/get", () => parentIds);
      return yield* Effect.withSpan(
        Effect.all([currentIds, bus.query<"users/get", Ids>("users/get", {})]),
        "request",
      );
    }));
    const layer = busLayer({ transport: inProcessTransport({ telemetry: otel.telemetry }) });
    const [request, handler] = await Effect.runPromise(Effect.provide(program, layer));
    const process = otel.one("process users/get");
    assert.equal(process.traceId, request.traceId);
    // The handler has no span of its own: the one it runs in is ordo's.
    assert.equal(handler.traceId, request.traceId);
    assert.equal(handler.spanId, process.spanId);
  });

  it("a consumer's Effect handler runs under ordo's process span, linked to the appending Effect span", async () => {
    const program = Effect.gen(function* () {
      const store = yield* EventStore;
      const request = yield* Effect.withSpan(
        Effect.flatMap(
          currentIds,
          (ids) => Effect.as(store.append("order-1", [{ type: "OrderPlaced", data: {} }]), ids),
        ),
        "request",
      );
      const handled: { traceId: string; spanId: string }[] = [];
      yield* Effect.scoped(Effect.gen(function* () {
        const { caughtUp } = yield* startConsumer({
          group: "totals",
          source: { category: "order" },
          handler: () => Effect.map(parentIds, (ids) => void handled.push(ids)),
        });
        yield* caughtUp;
      }));
      return { request, handled };
    });
    const { request, handled } = await Effect.runPromise(
      Effect.provide(program, memoryLayer({ telemetry: otel.telemetry })),
    );
    const process = otel.one("process OrderPlaced");
    // A consumer starts its own trace, linked to the producer's (the append span).
    assert.deepEqual(process.links.map((link) => link.traceId), [request.traceId]);
    assert.deepEqual(handled, [{ traceId: process.traceId, spanId: process.spanId }]);
  });

  it("an Effect group with continueTrace joins the publisher's trace, and its Effect spans sit under ordo's process span", async () => {
    const handled = nextCall<Ids>();
    const program = Effect.scoped(Effect.gen(function* () {
      const bus = yield* Bus;
      yield* bus.subscribe(
        "mailer",
        ["orders/placed"],
        () =>
          Effect.flatMap(currentIds, (ids) => Effect.sync(() => handled.call(ids))).pipe(
            Effect.withSpan("send the mail"),
          ),
        { continueTrace: true },
      );
      const request = yield* Effect.withSpan(
        Effect.flatMap(
          currentIds,
          (ids) => Effect.as(bus.publish({ type: "orders/placed", data: { id: "o-1" } }), ids),
        ),
        "request",
      );
      return { request, handler: yield* Effect.promise(() => handled.called) };
    }));
    const layer = busLayer({ transport: storeBackedTransport() }).pipe(
      Layer.provideMerge(memoryLayer({ telemetry: otel.telemetry })),
    );
    const { request, handler } = await Effect.runPromise(Effect.provide(program, layer));
    const process = otel.one("process orders/placed");
    assert.equal(process.traceId, request.traceId, "continueTrace: the publisher's trace");
    assert.equal(otel.one("publish orders/placed").parentSpanId, request.spanId);
    assert.equal(handler.traceId, request.traceId);
    assert.equal(handler.parentSpanId, process.spanId);
  });

  it("a misspelt handler option fails the registration with a ValidationError naming it", async () => {
    const program = Effect.scoped(Effect.gen(function* () {
      const bus = yield* Bus;
      return yield* Effect.flip(
        bus.handleCommand("users/lock", () => Effect.void, { continueTrance: true } as never),
      );
    }));
    const error = await Effect.runPromise(
      Effect.provide(program, busLayer({ transport: inProcessTransport() })),
    );
    assert.equal(error._tag, "ValidationError");
    assert.match(error.message, /continueTrance/);
    assert.match(error.message, /continueTrace/);
  });

  it("a misspelt call option fails the call with a ValidationError naming it", async () => {
    const program = Effect.scoped(Effect.gen(function* () {
      const bus = yield* Bus;
      yield* bus.handleQuery("users/get", () => Effect.succeed(1));
      return yield* Effect.flip(bus.query("users/get", {}, { timeot: 5 } as never));
    }));
    const error = await Effect.runPromise(
      Effect.provide(program, busLayer({ transport: inProcessTransport() })),
    );
    assert.equal(error._tag, "ValidationError");
    assert.match(error.message, /timeot/);
    assert.match(error.message, /timeout/);
  });

  it("an Effect span's ids and sampling cross as a traceparent and back", () => {
    const hex = (length: number) =>
      fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((s) => /[1-9a-f]/.test(s));
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        const parts = parseTraceparent(
          traceOf({ traceId, spanId, sampled } as Tracer.AnySpan)?.traceparent,
        );
        assert.deepEqual(parts, { traceId, spanId, flags: sampled ? 1 : 0 });
      }),
    );
    // Ids that are not W3C's (a custom tracer's) do not cross.
    for (
      const [traceId, spanId] of [
        ["trace-456", "span-123"],
        ["0".repeat(32), "1".repeat(16)],
        ["1".repeat(32), "0".repeat(16)],
        ["A".repeat(32), "1".repeat(16)],
      ]
    ) {
      assert.equal(traceOf({ traceId, spanId, sampled: true } as Tracer.AnySpan), undefined);
    }
  });
});
