/**
 * @module
 * ordo: event sourcing and messaging for TypeScript. Services append messages
 * to an event store that fixes their order; consumers read from a
 * checkpointed position and run idempotent handlers. This entry holds the
 * core model, the `EventStore` port, the error family, consumers (checkpoints,
 * retries and parking, consumer groups, rebuilds) and the in-memory store and
 * consumer storage, and the bus (commands, queries, events) with its
 * in-process transport; it imports nothing runtime-specific, so it loads
 * straight from a URL.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "./mod.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }], { expectedVersion: "no-stream" });
 * console.log(await store.readCategory("order"));
 * ```
 */

export {
  type AnyMessage,
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  categoryOf,
  CircuitOpenError,
  ClosedError,
  type CommittedAppend,
  type CommittedPosition,
  ConcurrencyError,
  consoleLogger,
  copyJson,
  createConsoleLogger,
  type CreateConsoleLoggerOptions,
  DEFAULT_READ_LIMIT,
  type DeferredAppendOptions,
  DuplicateMessageError,
  type EventStore,
  type ExpectedVersion,
  ForbiddenError,
  IdempotencyConflictError,
  isRetryable,
  type JsonObject,
  type JsonValue,
  type LogFields,
  type Logger,
  type LogLevel,
  type Message,
  type MessageInput,
  type MessageMetadata,
  type MessagePosition,
  NotFoundError,
  NotMigratedError,
  OrdoError,
  type OrdoErrorTag,
  parseStreamName,
  PeerUnreachableError,
  type ReadGlobalOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  RETRYABLE_BY_TAG,
  ServerError,
  silentLogger,
  StoreUnavailableError,
  type StreamInfo,
  streamName,
  type StreamNameParts,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedRuntimeError,
  ValidationError,
  type WaitOptions,
} from "./core/mod.ts";
export {
  backoffDelay,
  type CheckpointStore,
  type CheckpointUpdate,
  type Consumer,
  type ConsumerErrorContext,
  type ConsumerHooks,
  type ConsumerSource,
  type ConsumerStorage,
  createConsumer,
  type CreateConsumerOptions,
  createGroupConsumer,
  type CreateGroupConsumerOptions,
  DEFAULT_RETRY_POLICY,
  deliveryRetries,
  type GroupConsumer,
  type HandlerContext,
  type Lease,
  type LeaseFence,
  type LeaseOptions,
  type LeaseStore,
  type ListParkedOptions,
  type MessageHandler,
  type NextRetryDelay,
  type PageProgress,
  type ParkedMessage,
  type ParkedMessageStore,
  partitionOf,
  type ProcessedMessageStore,
  type RebuildProgress,
  rebuildProjection,
  type RebuildProjectionOptions,
  type ReplayResult,
  type RetryPolicy,
  runOnce,
  type RunOnceOptions,
  type StoredError,
} from "./core/consumers/mod.ts";
export {
  type Bus,
  type BusCallOptions,
  type BusContracts,
  type BusTimeouts,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  type CommandHandler,
  type CommandInput,
  createBus,
  type CreateBusOptions,
  createCircuitBreaker,
  defineContracts,
  type EventHandler,
  type EventInput,
  type PublishReceipt,
  type QueryHandler,
  type Registration,
  type SendReceipt,
  type StandardSchemaV1,
  type Transport,
} from "./core/messaging/mod.ts";
export {
  createInProcessTransport,
  type CreateInProcessTransportOptions,
} from "./transports/in_process.ts";
export {
  createMemoryConsumerStorage,
  type CreateMemoryConsumerStorageOptions,
  createMemoryLeaseStore,
  type CreateMemoryLeaseStoreOptions,
  createMemoryStore,
  type CreateMemoryStoreOptions,
  type MemoryConsumerStorage,
  type MemoryLeaseStore,
  MemoryTransaction,
} from "./stores/memory/mod.ts";
