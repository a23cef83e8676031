/**
 * The instrumentation port: what ordo's components call to trace their work
 * and to measure it, with no run-time import. `ordo/opentelemetry` implements
 * it with `@opentelemetry/api`; {@link noTelemetry}, the default, does nothing
 * and costs a branch. Trace context is passed explicitly ({@link TraceContext},
 * W3C `traceparent` and `tracestate` strings), never through ambient storage,
 * so tracing works where there is none (Cloudflare Workers).
 *
 * Logging is not here: it is the Logger's job.
 *
 * @module
 */

/** What a span stands for, as OpenTelemetry's `SpanKind` says it. */
export type SpanKind = "internal" | "server" | "client" | "producer" | "consumer";

/** A value an attribute may hold. */
export type AttributeValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly number[]
  | readonly boolean[];

/** Attributes of a span or a measurement; an `undefined` value is left out. */
export type Attributes = { readonly [key: string]: AttributeValue | undefined };

/**
 * A span's place in a trace, as the W3C Trace Context headers carry it:
 * `traceparent` (`00-<trace id>-<span id>-<flags>`) and an optional
 * `tracestate`. Plain strings, so it travels in message metadata, HTTP
 * headers and JSON unchanged.
 */
export interface TraceContext {
  /** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
  readonly traceparent: string;
  /** Vendor entries (`congo=t61rcWkgMzE`), when the producer had any. */
  readonly tracestate?: string;
}

/** Options of {@link Telemetry.startSpan}. */
export interface SpanOptions {
  /** What the span stands for (producer, consumer, client, …). */
  readonly kind: SpanKind;
  /** Set when the span starts; more can be added with {@link Span.setAttributes}. */
  readonly attributes?: Attributes;
  /**
   * The span's parent. Absent: the implementation's current context (for
   * OpenTelemetry, the active context, which is empty unless a context manager
   * is registered), or a new trace.
   */
  readonly parent?: TraceContext;
  /** `true`: a new trace whatever the current context (a consumer's span for an event). */
  readonly root?: boolean;
  /**
   * `true`: record the span only as part of a trace, with a parent given or
   * current; otherwise it is not recorded. For chatty operations (reads) that
   * would make a trace of one span each.
   */
  readonly parentRequired?: boolean;
  /** Spans this one is causally linked to without being their child (the producers of what it consumes). */
  readonly links?: readonly TraceContext[];
}

/** A unit of work being traced. End it exactly once. */
export interface Span {
  /**
   * The context to hand to the work this span causes (as a parent or a
   * link). When the span is not recorded it is the parent's context, so a
   * trace passes through a process that records nothing; `undefined` when
   * there is none.
   */
  readonly context: TraceContext | undefined;
  /** Whether the span is recorded: when `false`, attributes are not worth computing. */
  readonly recording: boolean;
  /** Adds or replaces attributes. */
  setAttributes(attributes: Attributes): void;
  /** A named moment in the span (a retry, a parking). */
  addEvent(name: string, attributes?: Attributes): void;
  /** Marks the span failed with `error`: error status, `error.type`, the exception recorded. */
  fail(error: unknown): void;
  /** Ends the span; later calls do nothing. */
  end(): void;
}

/** A monotonic sum (messages processed, retries). */
export interface Counter {
  /** Adds `value` (≥ 0) for the series `attributes` name. */
  add(value: number, attributes?: Attributes): void;
}

/** A distribution of values (durations, batch sizes). */
export interface Histogram {
  /** Records one value for the series `attributes` name. */
  record(value: number, attributes?: Attributes): void;
}

/** What a gauge's callback reports its current values to. */
export interface GaugeObserver {
  /** The current value of the series `attributes` name. */
  observe(value: number, attributes?: Attributes): void;
}

/** Name-independent options of an instrument. */
export interface InstrumentOptions {
  /** What the instrument measures, for people reading a dashboard. */
  readonly description?: string;
  /** UCUM unit: `s`, `By`, or a count in braces (`{message}`). */
  readonly unit?: string;
}

/**
 * The instrumentation port ordo's components report to. An implementation
 * must not throw from any method: telemetry never breaks the work it watches.
 *
 * @example
 * ```ts
 * import { noTelemetry, type Telemetry } from "./telemetry.ts";
 * const telemetry: Telemetry = noTelemetry;
 * const span = telemetry.startSpan("append order", { kind: "client" });
 * span.end();
 * ```
 */
export interface Telemetry {
  /**
   * `false` when nothing would be recorded ({@link noTelemetry}; an
   * implementation with no backend behind it): components read it once, when
   * they are made, and then skip instrumenting altogether, so their hot paths
   * cost what they cost without telemetry.
   */
  readonly enabled: boolean;
  /** Starts a span; see {@link SpanOptions} for its parent and links. */
  startSpan(name: string, options: SpanOptions): Span;
  /** A counter, made once per component and kept. */
  counter(name: string, options?: InstrumentOptions): Counter;
  /** A histogram, made once per component and kept. */
  histogram(name: string, options?: InstrumentOptions): Histogram;
  /**
   * An observable gauge: `observe` runs whenever the values are collected
   * (it may be async, a store's head position say). Returns the function
   * that removes the callback, for a component that stops.
   */
  gauge(
    name: string,
    options: InstrumentOptions,
    observe: (observer: GaugeObserver) => void | Promise<void>,
  ): () => void;
}

const NOT_RECORDING: Span = Object.freeze({
  context: undefined,
  recording: false,
  setAttributes() {},
  addEvent() {},
  fail() {},
  end() {},
});

const NO_COUNTER: Counter & Histogram = Object.freeze({ add() {}, record() {} });

/**
 * Telemetry that records nothing: the default of every component. A span it
 * starts carries its parent's context on, so a trace passes through.
 *
 * @example
 * ```ts
 * import { noTelemetry } from "./telemetry.ts";
 * const span = noTelemetry.startSpan("send users/lock", {
 *   kind: "producer",
 *   parent: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
 * });
 * console.log(span.recording, span.context?.traceparent); // false "00-4bf9…-01"
 * ```
 */
export const noTelemetry: Telemetry = Object.freeze({
  enabled: false,
  startSpan: (_name: string, options: SpanOptions): Span =>
    options.parent === undefined ? NOT_RECORDING : { ...NOT_RECORDING, context: options.parent },
  counter: () => NO_COUNTER,
  histogram: () => NO_COUNTER,
  gauge: () => () => {},
});

/**
 * The telemetry a component uses: `own` when given (even {@link noTelemetry},
 * to opt out), else what it is built on inherits (`from`, a store's or a
 * transport's), else none. `undefined` when that records nothing, so the
 * component's hot path can test one field.
 *
 * @example
 * ```ts
 * import { inheritedTelemetry, noTelemetry } from "./telemetry.ts";
 * console.log(inheritedTelemetry(undefined, { telemetry: noTelemetry })); // undefined
 * ```
 */
export function inheritedTelemetry(
  own: Telemetry | undefined,
  from?: { readonly telemetry?: Telemetry } | undefined,
): Telemetry | undefined {
  const telemetry = own ?? from?.telemetry;
  return telemetry === undefined || !telemetry.enabled ? undefined : telemetry;
}
