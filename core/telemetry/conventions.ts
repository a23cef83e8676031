/**
 * The names ordo's telemetry uses: OpenTelemetry's messaging semantic
 * conventions where they fit (still marked Development, so the current names
 * are emitted and, where a name was renamed, the older one beside it), and
 * `ordo.*` names for what they do not cover. The table of what each span and
 * metric means is in docs/guide/observability.md.
 *
 * @module
 */

import type { Attributes } from "./telemetry.ts";

/** Span and metric attribute names ordo uses, by what they hold. */
export interface AttributeNames {
  /** Always `"ordo"`. */
  readonly system: "messaging.system";
  /** `send`, `receive`, `process` or `settle`. */
  readonly operationType: "messaging.operation.type";
  /** The same, by its name before semantic conventions 1.26 (`publish` for `send`). */
  readonly operationTypeOld: "messaging.operation";
  /** ordo's own name for the operation: `send`, `publish`, `query`, `append`, `read`, `process`, `park`. */
  readonly operationName: "messaging.operation.name";
  /** A message name (`orders/place`), a stream (`order-1`) or a category (`order`). */
  readonly destination: "messaging.destination.name";
  /** A consumer group's partition, as a string. */
  readonly partition: "messaging.destination.partition.id";
  /** The message's id. */
  readonly messageId: "messaging.message.id";
  /** The message's correlation id. */
  readonly conversationId: "messaging.message.conversation_id";
  /** The consumer group. */
  readonly consumerGroup: "messaging.consumer.group.name";
  /** Messages in one append or read. */
  readonly batchCount: "messaging.batch.message_count";
  /** The failure's `_tag` (ordo's errors) or `name`. */
  readonly errorType: "error.type";
  /** The stream a message was stored in. */
  readonly stream: "ordo.stream.name";
  /** The handler attempt, 1 for the first. */
  readonly attempt: "ordo.delivery.attempt";
  /** How a bus call or a delivery ended (`ok`, `error`, `timeout`, `circuit_open`; `handled`, `parked`). */
  readonly outcome: "ordo.outcome";
  /** The bus's name (`createBus({ name })`). */
  readonly bus: "ordo.bus.name";
  /** The store's name (`memory`, `postgres:<schema>`). */
  readonly store: "ordo.store.name";
  /** A consumer group member's name. */
  readonly member: "ordo.consumer.member";
}

/** Span and metric attribute names (see {@link AttributeNames}). */
export const ATTR: AttributeNames = Object.freeze({
  system: "messaging.system",
  operationType: "messaging.operation.type",
  operationTypeOld: "messaging.operation",
  operationName: "messaging.operation.name",
  destination: "messaging.destination.name",
  partition: "messaging.destination.partition.id",
  messageId: "messaging.message.id",
  conversationId: "messaging.message.conversation_id",
  consumerGroup: "messaging.consumer.group.name",
  batchCount: "messaging.batch.message_count",
  errorType: "error.type",
  stream: "ordo.stream.name",
  attempt: "ordo.delivery.attempt",
  outcome: "ordo.outcome",
  bus: "ordo.bus.name",
  store: "ordo.store.name",
  member: "ordo.consumer.member",
});

/** Metric names ordo reports, by what they measure; units and meanings in docs/guide/observability.md. */
export interface MetricNames {
  /** Histogram, s: a handler call, per consumer group and partition; its count is the messages handled. */
  readonly processDuration: "messaging.process.duration";
  /** Histogram, s: a bus call from start to answer, retries included, by outcome; its count is the calls made. */
  readonly callDuration: "messaging.client.operation.duration";
  /** Gauge, {message}: global positions between the store's head and what a partition processed. */
  readonly lag: "ordo.consumer.lag";
  /** Gauge, s: age of the oldest message a partition has read and not yet processed. */
  readonly lagTime: "ordo.consumer.lag.time";
  /** Counter, {retry}: handler failures that will be retried. */
  readonly retries: "ordo.consumer.retries";
  /** Gauge, {message}: messages parked in a group. */
  readonly parked: "ordo.consumer.parked";
  /** Gauge, s: how long the group's oldest parked message has been parked. */
  readonly parkedAge: "ordo.consumer.parked.oldest_age";
  /** Gauge, {lease}: partitions a group member holds. */
  readonly leases: "ordo.consumer.leases";
  /** Histogram, s: one append, from call to result. */
  readonly appendDuration: "ordo.store.append.duration";
  /** Histogram, {message}: messages in one append. */
  readonly appendBatchSize: "ordo.store.append.batch_size";
  /** Gauge, {position}: the store's head global position. */
  readonly headPosition: "ordo.store.head_position";
  /** Gauge: a bus's circuit breaker, 0 closed, 1 half-open, 2 open. */
  readonly breakerState: "ordo.bus.circuit_breaker.state";
}

/** Metric names (see {@link MetricNames}). */
export const METRIC: MetricNames = Object.freeze({
  processDuration: "messaging.process.duration",
  callDuration: "messaging.client.operation.duration",
  lag: "ordo.consumer.lag",
  lagTime: "ordo.consumer.lag.time",
  retries: "ordo.consumer.retries",
  parked: "ordo.consumer.parked",
  parkedAge: "ordo.consumer.parked.oldest_age",
  leases: "ordo.consumer.leases",
  appendDuration: "ordo.store.append.duration",
  appendBatchSize: "ordo.store.append.batch_size",
  headPosition: "ordo.store.head_position",
  breakerState: "ordo.bus.circuit_breaker.state",
});

/** One of ordo's operation names (`messaging.operation.name`). */
export type OperationName = "send" | "publish" | "query" | "append" | "read" | "process" | "park";

/** ordo's operations and their semantic-convention operation type. */
const OPERATION_TYPES: Readonly<Record<OperationName, string>> = {
  send: "send",
  publish: "send",
  query: "send",
  append: "send",
  read: "receive",
  process: "process",
  park: "settle",
};

const OLD_OPERATION_TYPES: Readonly<Record<string, string>> = { send: "publish" };

/**
 * The attributes every messaging span of ordo has: the system, the operation
 * (its type under the current and the older name) and the destination.
 *
 * @example
 * ```ts
 * import { operationAttributes } from "./conventions.ts";
 * operationAttributes("publish", "orders/placed")["messaging.operation.type"]; // "send"
 * ```
 */
export function operationAttributes(operation: OperationName, destination: string): Attributes {
  const type = OPERATION_TYPES[operation];
  return {
    [ATTR.system]: "ordo",
    [ATTR.operationType]: type,
    [ATTR.operationTypeOld]: OLD_OPERATION_TYPES[type] ?? type,
    [ATTR.operationName]: operation,
    [ATTR.destination]: destination,
  };
}

/**
 * The `error.type` of a failure: an ordo error's `_tag`, else the error's
 * `name`, else `"_OTHER"` (the conventions' fallback).
 *
 * @example
 * ```ts
 * import { errorType } from "./conventions.ts";
 * errorType(new RangeError("no")); // "RangeError"
 * ```
 */
export function errorType(error: unknown): string {
  const tag = (error as { _tag?: unknown } | null)?._tag;
  if (typeof tag === "string" && tag.length > 0) return tag;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name.length > 0 ? name : "_OTHER";
}
