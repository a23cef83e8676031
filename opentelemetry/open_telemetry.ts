/**
 * `openTelemetry()`: ordo's `Telemetry` port implemented with
 * `@opentelemetry/api`. Spans go to the tracer provider you register (or
 * pass), metrics to the meter provider; ordo itself registers nothing. Trace
 * context is taken from what ordo passes (message metadata, HTTP headers),
 * so no context manager is needed: it works in Cloudflare Workers too.
 *
 * @module
 */

import {
  type Context,
  context as otelContext,
  type Link,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import {
  checkOptions,
  type Counter,
  type GaugeObserver,
  type Histogram,
  type InstrumentOptions,
  noTelemetry,
  type Span,
  type SpanOptions,
  type Telemetry,
  ValidationError,
} from "../core/mod.ts";
import { Instruments } from "./_instruments.ts";
import { OpenTelemetrySpan } from "./_span.ts";
import { spanContextOf } from "./_span_context.ts";

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. Default: the global tracer provider (registered before or after this call). */
  readonly tracerProvider?: TracerProvider;
  /**
   * Where metrics go. Default: the global meter provider as it is when
   * `openTelemetry()` is called: register yours first.
   */
  readonly meterProvider?: MeterProvider;
  /** Instrumentation scope name. Default `"ordo"`. */
  readonly name?: string;
  /** Instrumentation scope version. Default: ordo's version. */
  readonly version?: string;
  /**
   * Whether a span with no parent given joins OpenTelemetry's active context
   * (set by a context manager and your own instrumentation, an HTTP server's
   * span say). Default `true`; `false`: such a span starts a new trace.
   */
  readonly activeContext?: boolean;
}

const VERSION = "0.1.0";

const OPTION_KEYS = ["tracerProvider", "meterProvider", "name", "version", "activeContext"];

const KINDS: Readonly<Record<SpanOptions["kind"], SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** OpenTelemetry's no-op tracer provider, as a proxy with no delegate answers it. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Telemetry that reports to OpenTelemetry. Give it to a store, a transport,
 * a bus or a consumer as `telemetry`; what is built on them inherits it.
 * Register the SDK's providers (or pass them) before making those
 * components: one made while no provider is registered reports nothing and
 * costs nothing. A tracer provider registered later replaces an earlier one
 * for components already made, as OpenTelemetry's proxy does.
 *
 * @throws {ValidationError} for an unknown option (`tracerprovider`: the
 *   nearest valid key is named), a provider with no `getTracer`/`getMeter`, a
 *   `name` or `version` that is not a non-empty string, an `activeContext`
 *   that is not a boolean
 *
 * @example
 * ```ts
 * import { createBus, createInProcessTransport } from "../mod.ts";
 * import { openTelemetry } from "./mod.ts";
 * const telemetry = openTelemetry();
 * const bus = createBus({ transport: createInProcessTransport({ telemetry }), name: "orders" });
 * bus.handleQuery("orders/show", (payload) => payload);
 * console.log(await bus.query("orders/show", 1)); // 1, inside a `query orders/show` span
 * await bus.close();
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  return new OpenTelemetryPort(checkOpenTelemetryOptions(options));
}

// A misspelt key here fails quietly otherwise: `{ tracerprovider }` falls
// back to the global provider, which is often none, and nothing is recorded.
// A provider of the wrong shape would throw a bare TypeError on first use.
function checkOpenTelemetryOptions(options: unknown): OpenTelemetryOptions {
  const o = checkOptions(options, OPTION_KEYS);
  checkProvider(o.tracerProvider, "options.tracerProvider", "getTracer");
  checkProvider(o.meterProvider, "options.meterProvider", "getMeter");
  for (const key of ["name", "version"]) {
    const value = o[key];
    if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
      throw new ValidationError(`options.${key}`, value, "must be a non-empty string");
    }
  }
  if (o.activeContext !== undefined && typeof o.activeContext !== "boolean") {
    throw new ValidationError("options.activeContext", o.activeContext, "must be true or false");
  }
  return o as OpenTelemetryOptions;
}

function checkProvider(value: unknown, path: string, method: string): void {
  if (value === undefined) return;
  const ok = typeof value === "object" && value !== null &&
    typeof (value as Record<string, unknown>)[method] === "function";
  if (!ok) {
    throw new ValidationError(
      path,
      value,
      `expected an OpenTelemetry provider (an object with ${method}()), such as the SDK's; leave it out to use the global one`,
    );
  }
}

class OpenTelemetryPort implements Telemetry {
  readonly #tracer: Tracer;
  readonly #ownProvider: boolean;
  readonly #activeContext: boolean;
  readonly #instruments: Instruments;

  constructor(options: OpenTelemetryOptions) {
    const name = options.name ?? "ordo";
    const version = options.version ?? VERSION;
    this.#ownProvider = options.tracerProvider !== undefined;
    this.#tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(name, version);
    this.#activeContext = options.activeContext ?? true;
    const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
    this.#instruments = new Instruments(meterProvider.getMeter(name, version));
  }

  /**
   * Whether anything can be recorded: a tracer provider passed or registered,
   * or a meter provider that is not the no-op one. Components read it when
   * they are made; one made while it is `false` reports nothing and costs
   * nothing, which is how "no provider registered" costs what no telemetry does.
   */
  get enabled(): boolean {
    return this.#ownProvider || this.#instruments.active || !this.#noProvider();
  }

  startSpan(name: string, options: SpanOptions): Span {
    if (!this.#ownProvider && this.#noProvider()) return noTelemetry.startSpan(name, options);
    const parent = this.#parentContext(options);
    if (parent === undefined) return noTelemetry.startSpan(name, options);
    try {
      const span = this.#tracer.startSpan(name, {
        kind: KINDS[options.kind],
        // The SDK passes over `undefined` values itself.
        attributes: options.attributes as never,
        links: linksOf(options.links),
      }, parent);
      return new OpenTelemetrySpan(span);
    } catch {
      return noTelemetry.startSpan(name, options);
    }
  }

  counter(name: string, options?: InstrumentOptions): Counter {
    return this.#instruments.counter(name, options);
  }

  histogram(name: string, options?: InstrumentOptions): Histogram {
    return this.#instruments.histogram(name, options);
  }

  gauge(
    name: string,
    options: InstrumentOptions,
    observe: (observer: GaugeObserver) => void | Promise<void>,
  ): () => void {
    return this.#instruments.gauge(name, options, observe);
  }

  /** Whether no tracer provider is registered globally: then no span is worth making. */
  #noProvider(): boolean {
    const global = trace.getTracerProvider();
    return global instanceof ProxyTracerProvider && global.getDelegate() === NOOP_TRACER_PROVIDER;
  }

  /** The context the span starts in; `undefined` when it must not be recorded (a read outside any trace). */
  #parentContext(options: SpanOptions): Context | undefined {
    if (options.parent !== undefined) {
      const parent = spanContextOf(options.parent);
      if (parent !== undefined) return trace.setSpanContext(ROOT_CONTEXT, parent);
    }
    const ambient = options.root === true || !this.#activeContext
      ? ROOT_CONTEXT
      : otelContext.active();
    if (options.parentRequired === true && trace.getSpan(ambient) === undefined) return undefined;
    return ambient;
  }
}

function linksOf(links: SpanOptions["links"]): Link[] | undefined {
  if (links === undefined || links.length === 0) return undefined;
  const result: Link[] = [];
  for (const link of links) {
    const context = spanContextOf(link);
    if (context !== undefined) result.push({ context });
  }
  return result;
}
