// The bus's spans and measurements: a producer span per send and publish, a
// client span per query, each covering the whole call (retries included),
// whose context the envelope carries to the handler (metadata `traceparent`
// for commands and events, `trace` for queries); call durations by outcome
// (their count is the calls made), and the circuit breaker's state.

import {
  CircuitOpenError,
  PeerUnreachableError,
  StoreUnavailableError,
  TimeoutError,
} from "../errors.ts";
import {
  ATTR,
  type Attributes,
  errorType,
  type Histogram,
  METRIC,
  operationAttributes,
  type OperationName,
  type SpanKind,
  type Telemetry,
  type TraceContext,
  withTraceContext,
} from "../telemetry/mod.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import type { CommandEnvelope, EventEnvelope, QueryEnvelope } from "./transport.ts";

const BREAKER_STATES = { closed: 0, "half-open": 1, open: 2 } as const;

/** A command or event with the trace context it travels with. */
export function carryingTrace<E extends CommandEnvelope | EventEnvelope>(
  envelope: E,
  context: TraceContext | undefined,
): E {
  return context === undefined
    ? envelope
    : { ...envelope, metadata: withTraceContext(envelope.metadata, context) };
}

/** A query with the trace context it travels with. */
export function queryCarrying(
  envelope: QueryEnvelope,
  context: TraceContext | undefined,
): QueryEnvelope {
  return context === undefined ? envelope : { ...envelope, trace: context };
}

/** How a call ended, for the duration metric. */
function outcomeOf(error: unknown): string {
  if (error instanceof CircuitOpenError) return "circuit_open";
  if (error instanceof TimeoutError) return "timeout";
  if (error instanceof StoreUnavailableError || error instanceof PeerUnreachableError) {
    return "unavailable";
  }
  return "error";
}

/** What every call of one operation on one name shares, kept so a call allocates none of it. */
interface RouteAttributes {
  /** Set when the span starts (samplers see them). */
  readonly span: Attributes;
  /** Of the metrics, for a call that succeeded. */
  readonly ok: Attributes;
}

/** Most names whose attributes are kept ready. */
const MAX_CACHED_ROUTES = 10_000;

/** One bus's telemetry. */
export class BusTelemetry {
  readonly #telemetry: Telemetry;
  readonly #bus: string;
  readonly #duration: Histogram;
  readonly #stopGauge: () => void;
  readonly #routes = new Map<string, RouteAttributes>();

  constructor(telemetry: Telemetry, bus: string, breaker: CircuitBreaker | undefined) {
    this.#telemetry = telemetry;
    this.#bus = bus;
    this.#duration = telemetry.histogram(METRIC.callDuration, {
      unit: "s",
      description: "Duration of a bus call, retries included, by outcome",
    });
    this.#stopGauge = breaker === undefined ? () => {} : telemetry.gauge(METRIC.breakerState, {
      description: "A bus's circuit breaker: 0 closed, 1 half-open, 2 open",
    }, (observer) => observer.observe(BREAKER_STATES[breaker.state], { [ATTR.bus]: bus }));
  }

  /** `send` or `sendAndWait` of a command, traced. */
  command<T>(
    envelope: CommandEnvelope,
    parent: TraceContext | undefined,
    call: (envelope: CommandEnvelope) => Promise<T>,
  ): Promise<T> {
    return this.#traced(
      "send",
      envelope.type,
      "producer",
      parent,
      envelope,
      (context) => call(carryingTrace(envelope, context)),
    );
  }

  /** `publish` of an event, traced. */
  event<T>(
    envelope: EventEnvelope,
    parent: TraceContext | undefined,
    call: (envelope: EventEnvelope) => Promise<T>,
  ): Promise<T> {
    return this.#traced(
      "publish",
      envelope.type,
      "producer",
      parent,
      envelope,
      (context) => call(carryingTrace(envelope, context)),
    );
  }

  /** A query, traced. */
  query<T>(
    envelope: QueryEnvelope,
    parent: TraceContext | undefined,
    call: (envelope: QueryEnvelope) => Promise<T>,
  ): Promise<T> {
    return this.#traced(
      "query",
      envelope.name,
      "client",
      parent,
      undefined,
      (context) => call(queryCarrying(envelope, context)),
    );
  }

  /** Stops observing the breaker. */
  close(): void {
    this.#stopGauge();
  }

  async #traced<T>(
    operation: OperationName,
    destination: string,
    kind: SpanKind,
    parent: TraceContext | undefined,
    message: CommandEnvelope | EventEnvelope | undefined,
    call: (context: TraceContext | undefined) => Promise<T>,
  ): Promise<T> {
    const route = this.#route(operation, destination);
    const span = this.#telemetry.startSpan(`${operation} ${destination}`, {
      kind,
      parent,
      attributes: route.span,
    });
    if (span.recording && message !== undefined) span.setAttributes(messageAttributes(message));
    const started = performance.now();
    try {
      const result = await call(span.context);
      this.#measure(started, route.ok);
      return result;
    } catch (error) {
      span.fail(error);
      this.#measure(started, {
        ...route.ok,
        [ATTR.outcome]: outcomeOf(error),
        [ATTR.errorType]: errorType(error),
      });
      throw error;
    } finally {
      span.end();
    }
  }

  #route(operation: OperationName, destination: string): RouteAttributes {
    const key = `${operation} ${destination}`;
    let route = this.#routes.get(key);
    if (route === undefined) {
      route = {
        span: Object.freeze({
          ...operationAttributes(operation, destination),
          [ATTR.bus]: this.#bus,
        }),
        ok: Object.freeze({
          [ATTR.system]: "ordo",
          [ATTR.operationName]: operation,
          [ATTR.destination]: destination,
          [ATTR.bus]: this.#bus,
          [ATTR.outcome]: "ok",
        }),
      };
      if (this.#routes.size < MAX_CACHED_ROUTES) this.#routes.set(key, route);
    }
    return route;
  }

  #measure(started: number, attributes: Attributes): void {
    this.#duration.record((performance.now() - started) / 1000, attributes);
  }
}

function messageAttributes(envelope: CommandEnvelope | EventEnvelope): Attributes {
  const correlationId = envelope.metadata.correlationId;
  return {
    [ATTR.messageId]: envelope.id,
    [ATTR.conversationId]: typeof correlationId === "string" ? correlationId : undefined,
    [ATTR.stream]: "streamName" in envelope ? envelope.streamName : undefined,
  };
}
