/**
 * @module
 * Consumers over any `EventStore`: checkpointed readers of a stream, a
 * category or the whole store that catch up and then follow live; consumer
 * groups that split a category into partitions held by leases; retries with
 * backoff, parking and replay; an idempotency helper for outside effects; and
 * projection rebuilds with progress. The handler commits with the checkpoint,
 * or runs before it (`commit: "after-handler"`, what the store-backed
 * transport's command loop uses). The storage ports (checkpoints with the
 * transaction seam, parked messages, processed messages, leases) are defined
 * here and implemented by each store (`stores/memory`, `stores/postgres` for
 * PostgreSQL and PGlite). Web-standard APIs only.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

export { checkLeaseTtl } from "./_options.ts";
export { checkInstance, isMemberNameInUse, memberNameInUse } from "./member_instance.ts";
export {
  backoffDelay,
  type CheckedRetryPolicy,
  checkRetryPolicy,
  DEFAULT_RETRY_POLICY,
  deliveryRetries,
  type NextRetryDelay,
  notARetryPolicy,
  type RetryPolicy,
} from "./backoff.ts";
export { createConsumer } from "./consumer.ts";
export {
  type DeliverySite,
  type LoggedMessage,
  logHandlerFailure,
  logParked,
} from "./delivery_log.ts";
export type { Consumer, CreateConsumerOptions, ReplayResult } from "./consumer_types.ts";
export {
  createGroupConsumer,
  type CreateGroupConsumerOptions,
  type GroupConsumer,
} from "./group_consumer.ts";
export type {
  CommitMode,
  ConsumerErrorContext,
  ConsumerHooks,
  HandlerContext,
  HandlerTx,
  MessageHandler,
  PageContext,
  PageHandler,
  PageProgress,
  TransactionalCommit,
} from "./handler.ts";
export { runOnce, type RunOnceOptions } from "./idempotency.ts";
export {
  type DeliveredContext,
  type DeliveredMessage,
  type DeliveryTelemetry,
  deliveryTelemetry,
} from "./delivery_telemetry.ts";
export { checkPartitions, MAX_PARTITIONS, partitionOf, streamHash } from "./partition.ts";
export {
  type RebuildProgress,
  rebuildProjection,
  type RebuildProjectionOptions,
} from "./rebuild.ts";
export {
  retryThenPark,
  type RetryThenParkOptions,
  type RetryThenParkOutcome,
} from "./retry_then_park.ts";
export { checkSource, type ConsumerSource } from "./source.ts";
export type {
  ConsumerErrorStatus,
  ConsumerState,
  ConsumerStatus,
  PartitionStatus,
  WaitForOptions,
} from "./status.ts";
export type {
  CheckpointEntry,
  CheckpointStore,
  CheckpointUpdate,
  ConsumerControlStore,
  ConsumerPresence,
  ConsumerStorage,
  GroupLeases,
  InstanceOption,
  KnownGroup,
  Lease,
  LeaseFence,
  LeaseOptions,
  LeaseStore,
  ListParkedOptions,
  ParkedGroup,
  ParkedMessage,
  ParkedMessageStore,
  ParkedSummary,
  PresentConsumer,
  ProcessedMessageStore,
  ReplayRequest,
  StoredError,
} from "./storage.ts";
export { DEFAULT_CONTROL_INTERVAL } from "./_control_link.ts";
export { storedError } from "./_park.ts";
