/**
 * W3C Trace Context as ordo carries it: a producer's context travels in a
 * message's metadata (`traceparent`, `tracestate`) through every store and
 * transport, and in the `traceparent` / `tracestate` headers over HTTP.
 * Parsing is strict: a malformed value is ignored, never trusted.
 *
 * @module
 */

import type { MessageMetadata } from "../message.ts";
import type { TraceContext } from "./telemetry.ts";

/** The metadata field (and HTTP header) holding a `traceparent`. */
export const TRACEPARENT = "traceparent";
/** The metadata field (and HTTP header) holding a `tracestate`. */
export const TRACESTATE = "tracestate";

// Version 00 (and any later version's first four fields): lowercase hex, trace
// and span ids not all zeros, version ff forbidden.
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
const MAX_TRACESTATE = 512;

/** The parts of a valid `traceparent`. */
export interface TraceparentParts {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits: the parent span's id. */
  readonly spanId: string;
  /** The trace flags byte; bit 0 is "sampled". */
  readonly flags: number;
}

/**
 * The parts of a `traceparent`, or `undefined` when it is not a valid one.
 *
 * @example
 * ```ts
 * import { parseTraceparent } from "./trace_context.ts";
 * parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.spanId; // "00f067aa0ba902b7"
 * parseTraceparent("not one"); // undefined
 * ```
 */
export function parseTraceparent(value: unknown): TraceparentParts | undefined {
  if (typeof value !== "string" || value.length > 256) return undefined;
  // One message's context is parsed several times (checked when read, then
  // again as the span's parent and link): the last answer is kept.
  if (value === lastParsed.value) return lastParsed.parts;
  const match = TRACEPARENT_FORMAT.exec(value);
  let parts: TraceparentParts | undefined;
  if (match !== null) {
    const [, version, traceId, spanId, flags, rest] = match;
    const valid = version !== "ff" && !(version === "00" && rest !== undefined) &&
      traceId !== ZERO_TRACE && spanId !== ZERO_SPAN;
    if (valid) parts = Object.freeze({ traceId, spanId, flags: parseInt(flags, 16) });
  }
  lastParsed = { value, parts };
  return parts;
}

let lastParsed: { readonly value: string; readonly parts: TraceparentParts | undefined } = {
  value: "",
  parts: undefined,
};

/**
 * A trace context from its two header values; `undefined` unless
 * `traceparent` is valid. A `tracestate` longer than 512 characters is dropped.
 *
 * @example
 * ```ts
 * import { traceContextFrom } from "./trace_context.ts";
 * traceContextFrom("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null)?.traceparent;
 * ```
 */
export function traceContextFrom(
  traceparent: unknown,
  tracestate: unknown,
): TraceContext | undefined {
  if (parseTraceparent(traceparent) === undefined) return undefined;
  return typeof tracestate === "string" && tracestate.length > 0 &&
      tracestate.length <= MAX_TRACESTATE
    ? { traceparent: traceparent as string, tracestate }
    : { traceparent: traceparent as string };
}

/**
 * The producer's trace context a message carries in its metadata, if any.
 *
 * @example
 * ```ts
 * import { traceContextOf } from "./trace_context.ts";
 * traceContextOf({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })?.traceparent;
 * ```
 */
export function traceContextOf(
  metadata: MessageMetadata | undefined,
): TraceContext | undefined {
  if (metadata === undefined) return undefined;
  const traceparent = metadata[TRACEPARENT];
  return traceparent === undefined
    ? undefined
    : traceContextFrom(traceparent, metadata[TRACESTATE]);
}

/**
 * `metadata` with `context` in its `traceparent` and `tracestate` fields (a
 * stale `tracestate` removed); `metadata` itself when `context` is absent.
 *
 * @example
 * ```ts
 * import { withTraceContext } from "./trace_context.ts";
 * withTraceContext({ correlationId: "c-1" }, { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
 * ```
 */
export function withTraceContext<M extends MessageMetadata | undefined>(
  metadata: M,
  context: TraceContext | undefined,
): M | MessageMetadata {
  if (context === undefined) return metadata;
  const { [TRACESTATE]: _stale, ...rest } = metadata ?? {};
  return context.tracestate === undefined
    ? { ...rest, [TRACEPARENT]: context.traceparent }
    : { ...rest, [TRACEPARENT]: context.traceparent, [TRACESTATE]: context.tracestate };
}

/**
 * The trace id and span id of a context, for log lines; `undefined` when
 * there is none or it is malformed.
 *
 * @example
 * ```ts
 * import { traceIds } from "./trace_context.ts";
 * traceIds({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })?.traceId;
 * // "4bf92f3577b34da6a3ce929d0e0e4736"
 * ```
 */
export function traceIds(
  context: TraceContext | undefined,
): { readonly traceId: string; readonly spanId: string } | undefined {
  const parts = parseTraceparent(context?.traceparent);
  return parts === undefined ? undefined : { traceId: parts.traceId, spanId: parts.spanId };
}
