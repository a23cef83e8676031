/**
 * @module
 * ordo: event sourcing and messaging for TypeScript. Services append messages
 * to an event store that fixes their order; consumers read from a
 * checkpointed position and run idempotent handlers; commands, queries and
 * events between services are built on that one mechanism. This entry is
 * what an application uses: the model and its errors, the in-memory store,
 * consumers and projections, and the bus with its in-process transport. It
 * imports nothing runtime-specific, so it loads straight from a URL. Authors
 * of stores and transports find their building blocks, and the types these
 * names are made of (a consumer storage's parts, a transport's envelopes), in
 * `ordo/kit`.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "./mod.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }], { expectedVersion: "no-stream" });
 * for await (const message of store.readCategory("order")) console.log(message.type);
 * ```
 */

// The event store: messages, streams, appends and reads.
export { createMemoryStore, type CreateMemoryStoreOptions } from "./stores/memory/mod.ts";
export { categoryOf, parseStreamName, streamName, type StreamNameParts } from "./core/mod.ts";
export type { AppendOptions, AppendResult, EventStore, StreamInfo } from "./core/mod.ts";
export type { MessagePosition, ReadGlobalOptions, ReadStreamOptions } from "./core/mod.ts";
export type { MessageIterable, MessagePage, ReadPageOptions } from "./core/mod.ts";
export type { Message, MessageInput, MessageMetadata, RecordedMessage } from "./core/mod.ts";
export type { AnyMessage, ExpectedVersion, JsonObject, JsonValue } from "./core/mod.ts";
export type { JsonMessage, MessageInputOf, MessageShape, RecordedMessageOf } from "./core/mod.ts";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./core/mod.ts";

// Deciders: a command against a stream (read, fold, decide, append, retry on conflict).
export { createCommandHandler, DEFAULT_COMMAND_RETRY, foldState } from "./core/mod.ts";
export type { CommandResult, CreateCommandHandlerOptions, Decider, Decision } from "./core/mod.ts";
export type { HandleCommand, HandleCommandOptions } from "./core/mod.ts";

// Errors: one family, each with a literal `_tag`, its data as fields, and one retryability.
export { ConcurrencyError, OrdoError, type OrdoErrorTag, ValidationError } from "./core/mod.ts";
export { DuplicateMessageError, StoreUnavailableError, TimeoutError } from "./core/mod.ts";
export { UnsupportedRuntimeError } from "./core/mod.ts";
export { ForbiddenError, NotFoundError, UnauthenticatedError } from "./core/mod.ts";
export { IdempotencyConflictError, PeerUnreachableError, ServerError } from "./core/mod.ts";
export { CircuitOpenError, ClosedError, NotMigratedError } from "./core/mod.ts";
export { type ForbiddenAction, type NotFoundKind } from "./core/mod.ts";
export { isRetryable, RETRYABLE_BY_TAG } from "./core/mod.ts";

// Logging: one line per event on the console by default; silence or redirect it.
export { consoleLogger, createConsoleLogger, silentLogger } from "./core/mod.ts";
export type { CreateConsoleLoggerOptions, LogFields, Logger, LogLevel } from "./core/mod.ts";

// Consumers and projections: checkpoints, retries and parking, groups, rebuilds.
export { createConsumer, createGroupConsumer, rebuildProjection, runOnce } from "./core/mod.ts";
export { DEFAULT_RETRY_POLICY, partitionOf } from "./core/mod.ts";
export { createMemoryConsumerStorage, type MemoryConsumerStorage } from "./stores/memory/mod.ts";
export type { CreateMemoryConsumerStorageOptions, MemoryTransaction } from "./stores/memory/mod.ts";
export type { CommitMode, Consumer, ConsumerSource, CreateConsumerOptions } from "./core/mod.ts";
export type { CreateGroupConsumerOptions, GroupConsumer, MessageHandler } from "./core/mod.ts";
export type { ConsumerHooks, ConsumerStorage, HandlerContext, RetryPolicy } from "./core/mod.ts";
export type { PageContext, PageHandler, RunOnceOptions } from "./core/mod.ts";
export type { RebuildProgress, RebuildProjectionOptions, ReplayResult } from "./core/mod.ts";
export type { ListParkedOptions, ParkedMessage, StoredError } from "./core/mod.ts";
export type { ConsumerState, ConsumerStatus, PartitionStatus, WaitForOptions } from "./core/mod.ts";

// Commands, queries and events: the bus and its in-process transport.
export { createBus, createCircuitBreaker, defineContracts } from "./core/mod.ts";
export { createInProcessTransport } from "./transports/in_process.ts";
export type { CreateInProcessTransportOptions } from "./transports/in_process.ts";
export type { Bus, BusCallOptions, BusTimeouts, CreateBusOptions } from "./core/mod.ts";
export type { CommandInput, EventInput, PublishReceipt, SendReceipt } from "./core/mod.ts";
export type { CommandHandler, EventHandler, QueryHandler, Registration } from "./core/mod.ts";
export type { DeliveryContext, HandlerOptions, QueryContext, ReceivedMessage } from "./core/mod.ts";
export type { BusContracts, CommandData, CommandName, SchemaMap } from "./core/mod.ts";
export type { CommandInputData, QueryInputPayload, QueryName, QueryPayload } from "./core/mod.ts";
export type { EventData, EventInputData, EventName } from "./core/mod.ts";
export type { MessageTypes, ReceivedEvent, SchemasOf } from "./core/mod.ts";
export type { StandardSchemaV1, StandardSchemaV1Issue, Transport } from "./core/mod.ts";
export type { CircuitBreaker, CircuitBreakerOptions, CircuitState } from "./core/mod.ts";
export type { CircuitStateChange } from "./core/mod.ts";

// Telemetry: what `telemetry` options take (`openTelemetry()` from `ordo/opentelemetry`).
export { noTelemetry, traceIds } from "./core/mod.ts";
export type { Telemetry, TraceContext } from "./core/mod.ts";
