// ordo's counters, histograms and gauges over an OpenTelemetry Meter. A meter
// that is OpenTelemetry's no-op (no MeterProvider registered) gets no-op
// instruments of ordo's own, so an unused metric costs a call that returns.

import { createNoopMeter, type Meter, type ObservableResult } from "@opentelemetry/api";
import type {
  Attributes,
  Counter,
  GaugeObserver,
  Histogram,
  InstrumentOptions,
} from "../core/mod.ts";
import { definedAttributes } from "./_span.ts";

const NOTHING: Counter & Histogram = Object.freeze({ add() {}, record() {} });

/** Instruments made from one meter. */
export class Instruments {
  readonly #meter: Meter | undefined;

  /** `meter`, unless it is OpenTelemetry's no-op meter. */
  constructor(meter: Meter) {
    this.#meter = meter === createNoopMeter() ? undefined : meter;
  }

  /** Whether the meter records (it is not OpenTelemetry's no-op meter). */
  get active(): boolean {
    return this.#meter !== undefined;
  }

  counter(name: string, options?: InstrumentOptions): Counter {
    const meter = this.#meter;
    if (meter === undefined) return NOTHING;
    const counter = meter.createCounter(name, options);
    return {
      add: (value, attributes) => counter.add(value, cleaned(attributes)),
    };
  }

  histogram(name: string, options?: InstrumentOptions): Histogram {
    const meter = this.#meter;
    if (meter === undefined) return NOTHING;
    const histogram = meter.createHistogram(name, options);
    return {
      record: (value, attributes) => histogram.record(value, cleaned(attributes)),
    };
  }

  gauge(
    name: string,
    options: InstrumentOptions,
    observe: (observer: GaugeObserver) => void | Promise<void>,
  ): () => void {
    const meter = this.#meter;
    if (meter === undefined) return () => {};
    const gauge = meter.createObservableGauge(name, options);
    const callback = async (result: ObservableResult) => {
      try {
        await observe({
          observe: (value, attributes) => result.observe(value, cleaned(attributes)),
        });
      } catch {
        // A failed read observes nothing this time; telemetry never throws.
      }
    };
    gauge.addCallback(callback);
    return () => gauge.removeCallback(callback);
  }
}

function cleaned(attributes: Attributes | undefined): Record<string, never> | undefined {
  return attributes === undefined
    ? undefined
    : definedAttributes(attributes) as Record<string, never>;
}
