/**
 * @module
 * Messaging: a bus for commands (send, or send and wait), queries
 * (request/reply) and events (broadcast to consumer groups) over pluggable
 * transports, with message contracts in any Standard Schema library and
 * client-side timeouts, retries and a circuit breaker. The transports live
 * in `transports/` (in-process, store-backed); this module is the model and
 * the port. Web-standard APIs only.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

export {
  type Bus,
  type BusCallOptions,
  type BusTimeouts,
  type CommandHandler,
  type CommandInput,
  type CreateBusOptions,
  DEFAULT_BUS_TIMEOUTS,
  type EventHandler,
  type EventInput,
  type QueryHandler,
} from "./bus_types.ts";
export { createBus } from "./bus.ts";
export { CallGuard, countsAgainstBreaker, type GuardedCallOptions } from "./call_guard.ts";
export {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  type CircuitStateChange,
  createCircuitBreaker,
} from "./circuit_breaker.ts";
export {
  type BusContracts,
  type CommandData,
  type CommandInputData,
  type CommandName,
  defineContracts,
  type EventData,
  type EventInputData,
  type EventName,
  type MessageTypes,
  type QueryInputPayload,
  type QueryName,
  type QueryPayload,
  type ReceivedEvent,
  type SchemaMap,
  type SchemasOf,
} from "./contracts.ts";
export { type CallScope, type DeadlineOptions, Deadlines } from "./deadline.ts";
export { type DirectCalls, directCalls, directCallsOf } from "./direct_calls.ts";
export { checkEventSelector } from "./event_selector.ts";
export { reportedResultAsJson, resultAsJson } from "./result_json.ts";
export { asHandlerAnswer, isHandlerAnswer } from "./handler_answers.ts";
export {
  commandCategory,
  commandStream,
  eventStream,
  MAX_MESSAGE_NAME_LENGTH,
  replyStream,
  serviceOf,
} from "./names.ts";
export { QueryRegistry, unknownQueryError } from "./query_registry.ts";
export { RunningRegistrations } from "./running_registrations.ts";
export { tracedHandler } from "./traced_handler.ts";
export { checkTransport } from "./transport_check.ts";
export { parkedFromReceived, receivedFromStore } from "./received.ts";
export { clientRetryPolicy, DEFAULT_CLIENT_RETRY, retryCall } from "./retry.ts";
export {
  type InferInput,
  type InferOutput,
  isStandardSchema,
  type StandardSchemaV1,
  type StandardSchemaV1Issue,
  type StandardSchemaV1Props,
  type StandardSchemaV1Result,
  validateStandard,
} from "./standard_schema.ts";
export type {
  CommandEndpoint,
  CommandEnvelope,
  DeliveryContext,
  EventEndpoint,
  EventEnvelope,
  EventSelector,
  HandlerOptions,
  PublishReceipt,
  QueryContext,
  QueryEndpoint,
  QueryEnvelope,
  ReceivedMessage,
  Registration,
  SendReceipt,
  Transport,
  TransportCallOptions,
} from "./transport.ts";
