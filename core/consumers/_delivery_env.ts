// What delivering needs, fixed for a consumer's life, built once from the
// checked options of any consumer kind.

import type { EventStore } from "../event_store.ts";
import type { JsonMessage, MessageShape } from "../message.ts";
import { inheritedTelemetry, type Telemetry } from "../telemetry/mod.ts";
import { type CheckedRetryPolicy, checkRetryPolicy } from "./backoff.ts";
import { type DeliveryTelemetry, deliveryTelemetry } from "./delivery_telemetry.ts";
import type {
  CommitMode,
  ConsumerErrorContext,
  ConsumerHooks,
  MessageHandler,
  TransactionalCommit,
} from "./handler.ts";
import { Limiter } from "./_limiter.ts";
import { ConsumerMonitor } from "./_monitor.ts";
import { checkCommitMode, checkOptionalFunction, checkStorage } from "./_options.ts";
import type { CreateConsumerOptions } from "./consumer_types.ts";
import type { ConsumerStorage } from "./storage.ts";

/** What delivering needs, fixed for a consumer's life. */
export interface DeliveryEnv<Tx> {
  readonly group: string;
  readonly storage: ConsumerStorage<Tx>;
  /** Gets `undefined` as `tx` under `commit: "after-handler"`. */
  readonly handler: MessageHandler<Tx>;
  readonly retry: CheckedRetryPolicy;
  readonly commit: CommitMode;
  /** See `CreateConsumerOptions.parkAtOnce`. */
  readonly parkAtOnce?: (error: unknown) => boolean;
  readonly limiter: Limiter;
  readonly hooks: ConsumerHooks;
  /** Progress, failures and waiters, for the status API. */
  readonly monitor: ConsumerMonitor;
  /** The telemetry it reports to, when it has one that records. */
  readonly telemetry?: Telemetry;
  /** Spans and measurements of deliveries, when it has telemetry. */
  readonly traces?: DeliveryTelemetry;
}

/**
 * The delivery environment of a consumer, from its options; `slots` bounds
 * handler calls at once. Its telemetry is its own, else the store's.
 */
export function deliveryEnv<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
>(
  options: CreateConsumerOptions<Tx, Commit, E>,
  group: string,
  slots: number,
  store: EventStore,
): DeliveryEnv<Tx> {
  checkStorage(options.storage);
  checkOptionalFunction(options.parkAtOnce, "options.parkAtOnce");
  const telemetry = inheritedTelemetry(options.telemetry, store);
  const traces = telemetry === undefined
    ? undefined
    : deliveryTelemetry(telemetry, group, options.continueTrace === true);
  // The message types are the store's word; the engine hands on what it reads.
  const handler = options.handler as unknown as MessageHandler<Tx>;
  return {
    group,
    storage: options.storage,
    handler: traces === undefined ? handler : traces.wrap(handler),
    retry: checkRetryPolicy(options.retry),
    commit: checkCommitMode(options.commit),
    parkAtOnce: options.parkAtOnce,
    limiter: new Limiter(slots),
    hooks: {
      onParked: options.onParked,
      onError: options.onError,
      onPage: options.onPage,
      onCaughtUp: options.onCaughtUp,
    },
    monitor: new ConsumerMonitor(),
    telemetry,
    traces,
  };
}

/** Records `error` as the consumer's last failure and reports it to its `onError` hook. */
export function report<Tx>(
  env: DeliveryEnv<Tx>,
  error: unknown,
  context: ConsumerErrorContext,
): void {
  env.monitor.failed(error, context);
  env.hooks.onError?.(error, context);
}
