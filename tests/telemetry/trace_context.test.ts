// W3C trace context as ordo carries it in metadata and headers: strict
// parsing (a malformed value is ignored, never trusted), writing it into
// metadata without losing other fields, and the no-op telemetry passing a
// parent's context through.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  noTelemetry,
  parseTraceparent,
  traceContextFrom,
  traceContextOf,
  traceIds,
  withTraceContext,
} from "../../core/mod.ts";
import { traceFromHeaders, traceHeaders } from "../../transports/http/wire/mod.ts";

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context", () => {
  it("parseTraceparent() accepts version 00 and refuses what the W3C spec refuses", () => {
    assert.deepEqual(parseTraceparent(VALID), {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: 1,
    });
    for (
      const bad of [
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // uppercase
        `${VALID}-extra`, // version 00 has exactly four fields
        42,
        undefined,
      ]
    ) assert.equal(parseTraceparent(bad), undefined, String(bad));
    assert.equal(parseTraceparent(`01-${VALID.slice(3)}-future`)?.spanId, "00f067aa0ba902b7");
  });

  it("any valid ids round-trip through metadata, beside the fields already there", () => {
    const hex = (length: number) =>
      fc.string({
        unit: fc.constantFrom(..."0123456789abcdef"),
        minLength: length,
        maxLength: length,
      })
        .filter((s) => /[1-9a-f]/.test(s));
    fc.assert(fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
      const traceparent = `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
      const metadata = withTraceContext({ correlationId: "c-1", tracestate: "stale=1" }, {
        traceparent,
      });
      assert.equal(metadata.correlationId, "c-1");
      assert.equal(metadata.tracestate, undefined, "a stale tracestate is dropped");
      assert.deepEqual(traceContextOf(metadata), { traceparent });
      assert.deepEqual(traceIds(traceContextOf(metadata)), { traceId, spanId });
    }));
  });

  it("tracestate travels with a valid traceparent only, and not when it is oversized", () => {
    assert.deepEqual(traceContextFrom(VALID, "congo=t61rcWkgMzE"), {
      traceparent: VALID,
      tracestate: "congo=t61rcWkgMzE",
    });
    assert.equal(traceContextFrom("junk", "congo=t61rcWkgMzE"), undefined);
    assert.deepEqual(traceContextFrom(VALID, "x".repeat(513)), { traceparent: VALID });
  });

  it("travels in the traceparent and tracestate headers", () => {
    const headers = new Headers(traceHeaders({ traceparent: VALID, tracestate: "a=1" }, {
      prefer: "wait",
    }));
    assert.equal(headers.get("prefer"), "wait");
    assert.deepEqual(traceFromHeaders((name) => headers.get(name)), {
      traceparent: VALID,
      tracestate: "a=1",
    });
    assert.equal(traceFromHeaders(() => "garbage"), undefined);
    assert.equal(traceHeaders(undefined), undefined);
  });

  it("noTelemetry records nothing and hands a parent's context on", () => {
    const span = noTelemetry.startSpan("process x", {
      kind: "consumer",
      parent: { traceparent: VALID },
    });
    assert.equal(span.recording, false);
    assert.deepEqual(span.context, { traceparent: VALID });
    assert.equal(noTelemetry.startSpan("append x", { kind: "client" }).context, undefined);
    assert.equal(noTelemetry.enabled, false);
  });
});
