/**
 * @module
 * ordo's core: the message model, the `EventStore` port, the error family and
 * the checks every adapter shares. Adapters import the core through this file.
 * Web-standard APIs only, no runtime-specific or npm imports.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

export {
  type AppendLimits,
  type CheckedAppendOptions,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  validateAppendOptions,
  validateExpectedVersion,
  validateId,
  validateMessages,
} from "./validate_append.ts";
export { resolveAppendRetry, type StoredPosition } from "./append_retry.ts";
export { checkExpectedVersion, satisfiesExpectedVersion } from "./expected_version.ts";
export {
  CircuitOpenError,
  ClosedError,
  ConcurrencyError,
  describeValue,
  DuplicateMessageError,
  type ExpectedVersionDescription,
  type ForbiddenAction,
  ForbiddenError,
  IdempotencyConflictError,
  isRetryable,
  NotFoundError,
  type NotFoundKind,
  NotMigratedError,
  OrdoError,
  type OrdoErrorTag,
  ordoTagOf,
  PeerUnreachableError,
  RETRYABLE_BY_TAG,
  ServerError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedRuntimeError,
  ValidationError,
} from "./errors.ts";
export {
  consoleLogger,
  createConsoleLogger,
  type CreateConsoleLoggerOptions,
  formatLogLine,
  type LogFields,
  type Logger,
  type LogLevel,
  silentLogger,
} from "./logger.ts";
export { canonicalJson, sameContent } from "./canonical_json.ts";
export {
  type AppendOptions,
  type AppendResult,
  type CommittedAppend,
  type CommittedPosition,
  DEFAULT_READ_LIMIT,
  type DeferredAppendOptions,
  type EventStore,
  type MessagePosition,
  type ReadGlobalOptions,
  type ReadStreamOptions,
  type StreamInfo,
  type WaitOptions,
} from "./event_store.ts";
export {
  copyJson,
  copyJsonValue,
  type JsonCopy,
  type JsonObject,
  type JsonValue,
  lastCopySize,
  MAX_JSON_DEPTH,
} from "./json.ts";
export type {
  AnyMessage,
  ExpectedVersion,
  Message,
  MessageInput,
  MessageMetadata,
  RecordedMessage,
} from "./message.ts";
export { PositionWaiters } from "./position_waiters.ts";
export {
  categoryOf,
  MAX_STREAM_NAME_LENGTH,
  parseStreamName,
  streamName,
  type StreamNameParts,
  validateCategory,
} from "./stream_name.ts";
export {
  type CheckedReadGlobalOptions,
  type CheckedReadStreamOptions,
  MAX_READ_LIMIT,
  validateReadGlobalOptions,
  validateReadStreamOptions,
} from "./validate_read.ts";
export {
  backoffDelay,
  type CheckedRetryPolicy,
  checkLeaseTtl,
  checkPartitions,
  type CheckpointStore,
  type CheckpointUpdate,
  checkRetryPolicy,
  checkSource,
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
  MAX_PARTITIONS,
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
  storedError,
  streamHash,
} from "./consumers/mod.ts";
