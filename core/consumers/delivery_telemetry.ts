/**
 * Spans and measurements of message deliveries, shared by the consumer
 * engine and by transports that deliver on their own (in-process, HTTP event
 * streams): each handler call is a `process` span (CONSUMER) linked to the
 * producer's context from the message's metadata, and its child when the
 * delivery continues the producer's trace; each parking a `park` span;
 * handler durations (their count is the messages handled, by error type)
 * and retries are measured.
 *
 * @module
 */

import type { MessageMetadata } from "../message.ts";
import {
  ATTR,
  type Attributes,
  type Counter,
  errorType,
  type Histogram,
  METRIC,
  operationAttributes,
  type OperationName,
  type Span,
  type Telemetry,
  type TraceContext,
  traceContextOf,
} from "../telemetry/mod.ts";
import type { ParkedMessage } from "./storage.ts";

/** What a delivered message must have for its span. */
export interface DeliveredMessage {
  /** `messaging.message.id`. */
  readonly id: string;
  /** The span's destination (`process orders/placed`). */
  readonly type: string;
  /** Where the producer's trace context and the correlation id are. */
  readonly metadata: MessageMetadata;
  /** `ordo.stream.name`, when it was stored. */
  readonly streamName?: string;
}

/** What a handler's context must have for its span; the wrapper adds `trace`. */
export interface DeliveredContext {
  /** `ordo.delivery.attempt`; above 1, the call counts as a retry. */
  readonly attempt: number;
  /** `messaging.destination.partition.id`, for a consumer group's partition. */
  readonly partition?: number;
  /** Replaced, for the handler, by the context of the call's span. */
  readonly trace?: TraceContext;
}

/** A consumer group's delivery telemetry; see {@link deliveryTelemetry}. */
export interface DeliveryTelemetry {
  /** `handler`, each call a span (its context in the handler's `context.trace`) and measured. */
  wrap<M extends DeliveredMessage, C extends DeliveredContext, R>(
    handler: (message: M, context: C) => R | Promise<R>,
  ): (message: M, context: C) => Promise<R>;
  /** A message was parked after its last attempt. */
  parked(entry: ParkedMessage): void;
}

/** Most message types (per partition) whose attributes are kept ready. */
const MAX_CACHED_TYPES = 10_000;

/** What is the same for every message of one type: kept, so a delivery allocates none of it. */
interface TypeAttributes {
  /** Set when a span starts (samplers see them). */
  readonly process: Attributes;
  readonly park: Attributes;
  /** Of the metrics. */
  readonly base: Attributes;
}

/**
 * The delivery telemetry of consumer group `group`. `continueTrace`: each
 * span is the producer's child (commands), not only linked to it (events).
 *
 * @example
 * ```ts
 * import { noTelemetry } from "../telemetry/mod.ts";
 * import { deliveryTelemetry } from "./delivery_telemetry.ts";
 * const traced = deliveryTelemetry(noTelemetry, "billing", false)
 *   .wrap((message: { id: string; type: string; metadata: {} }, context: { attempt: number }) => message.type);
 * await traced({ id: "1", type: "orders/placed", metadata: {} }, { attempt: 1 }); // "orders/placed"
 * ```
 */
export function deliveryTelemetry(
  telemetry: Telemetry,
  group: string,
  continueTrace: boolean,
): DeliveryTelemetry {
  const traces = new DeliveryTraces(telemetry, group, continueTrace);
  return {
    wrap: (handler) => (message, context) => traces.call(handler, message, context),
    parked: (entry) => traces.parked(entry),
  };
}

/** The instruments and the kept attributes of one group's deliveries. */
class DeliveryTraces {
  readonly #telemetry: Telemetry;
  readonly #group: string;
  readonly #continueTrace: boolean;
  readonly #duration: Histogram;
  readonly #retries: Counter;
  readonly #byType = new Map<string, TypeAttributes>();

  constructor(telemetry: Telemetry, group: string, continueTrace: boolean) {
    this.#telemetry = telemetry;
    this.#group = group;
    this.#continueTrace = continueTrace;
    this.#duration = telemetry.histogram(METRIC.processDuration, {
      unit: "s",
      description: "Duration of one handler call",
    });
    this.#retries = telemetry.counter(METRIC.retries, {
      unit: "{retry}",
      description: "Handler calls that retried a message whose earlier attempt failed",
    });
  }

  /** One handler call inside its `process` span, measured. */
  async call<M extends DeliveredMessage, C extends DeliveredContext, R>(
    handler: (message: M, context: C) => R | Promise<R>,
    message: M,
    context: C,
  ): Promise<R> {
    const attributes = this.#attributesOf(message.type, context.partition);
    const span = this.#spanOf("process", message, attributes.process, context.attempt);
    if (context.attempt > 1) this.#retries.add(1, attributes.base);
    const started = performance.now();
    let failure: string | undefined;
    try {
      const trace = span.context;
      const result = await handler(
        message,
        trace === undefined || trace === context.trace ? context : { ...context, trace },
      );
      return result;
    } catch (error) {
      failure = errorType(error);
      span.fail(error);
      throw error;
    } finally {
      span.end();
      this.#duration.record(
        (performance.now() - started) / 1000,
        failure === undefined ? attributes.base : { ...attributes.base, [ATTR.errorType]: failure },
      );
    }
  }

  /** A `park` span, and the message counted as parked. */
  parked(entry: ParkedMessage): void {
    const attributes = this.#attributesOf(entry.message.type, entry.partition);
    const span = this.#spanOf("park", entry.message, attributes.park, entry.attempts);
    span.setAttributes({ [ATTR.errorType]: entry.error.name });
    span.end();
  }

  /** A span linked to the message's producer, and its child when the trace continues. */
  #spanOf(
    operation: OperationName,
    message: DeliveredMessage,
    attributes: Attributes,
    attempt: number,
  ): Span {
    const producer = traceContextOf(message.metadata);
    const parent = this.#continueTrace ? producer : undefined;
    const span = this.#telemetry.startSpan(`${operation} ${message.type}`, {
      kind: operation === "park" ? "client" : "consumer",
      parent,
      root: parent === undefined,
      links: producer === undefined ? undefined : [producer],
      attributes,
    });
    if (span.recording) {
      const correlationId = message.metadata.correlationId;
      // One call: each one the SDK takes checks and copies what it is given.
      span.setAttributes({
        [ATTR.messageId]: message.id,
        [ATTR.conversationId]: typeof correlationId === "string" ? correlationId : undefined,
        [ATTR.stream]: message.streamName,
        [ATTR.attempt]: attempt,
      });
    }
    return span;
  }

  /** The attributes of a type's deliveries to one partition (of a group; none for a transport's own). */
  #attributesOf(type: string, partition: number | undefined): TypeAttributes {
    const key = partition === undefined ? type : `${partition} ${type}`;
    let attributes = this.#byType.get(key);
    if (attributes === undefined) {
      const group = this.#group;
      // The partition only where there is one: attributes without `undefined` values go to the SDK as they are.
      const partitioned = partition === undefined ? {} : { [ATTR.partition]: String(partition) };
      const base = Object.freeze({
        [ATTR.system]: "ordo",
        [ATTR.operationName]: "process",
        [ATTR.destination]: type,
        [ATTR.consumerGroup]: group,
        ...partitioned,
      });
      attributes = {
        process: Object.freeze({
          ...operationAttributes("process", type),
          [ATTR.consumerGroup]: group,
          ...partitioned,
        }),
        park: Object.freeze({
          ...operationAttributes("park", type),
          [ATTR.consumerGroup]: group,
          ...partitioned,
        }),
        base,
      };
      if (this.#byType.size < MAX_CACHED_TYPES) this.#byType.set(key, attributes);
    }
    return attributes;
  }
}
