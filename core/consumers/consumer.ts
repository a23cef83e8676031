/**
 * A consumer: reads a stream, a category or the whole store from its
 * checkpoint, catches up in bounded pages, then follows live, woken by the
 * store. Each message's handler and checkpoint commit together; failures are
 * retried with backoff, then parked, and the consumer moves on.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { EventStore } from "../event_store.ts";
import { checkRetryPolicy, type RetryPolicy } from "./backoff.ts";
import type { DeliveryEnv } from "./_deliver.ts";
import type { ConsumerHooks, MessageHandler } from "./handler.ts";
import { Limiter } from "./_limiter.ts";
import {
  checkCount,
  checkFunction,
  checkGroup,
  checkStorage,
  DEFAULT_BATCH_SIZE,
} from "./_options.ts";
import { replayAll, replayOne, type ReplayResult } from "./_replay.ts";
import { runPartition } from "./_runner.ts";
import { checkSource, type ConsumerSource } from "./source.ts";
import type { ConsumerStorage, ListParkedOptions, ParkedMessage } from "./storage.ts";

/** Options of {@link createConsumer}. */
export interface CreateConsumerOptions<Tx> extends ConsumerHooks {
  /** Names the checkpoint and the parked list; consumers of one group share them. */
  readonly group: string;
  readonly source: ConsumerSource;
  readonly handler: MessageHandler<Tx>;
  readonly storage: ConsumerStorage<Tx>;
  /** Messages per read, and so most messages held in memory at once. Default 100. */
  readonly batchSize?: number;
  /**
   * How many messages one commit covers. `"message"` (the default): one
   * transaction per message. `"page"`: the handlers of a whole page run in one
   * transaction, which then saves the page's checkpoint — far fewer commits
   * when catching up. If a handler in the page fails, the page rolls back and
   * its messages are delivered again one at a time (so handlers before the
   * failing one run twice; their writes through `tx` take effect once).
   * `stop()` then waits for the page in progress.
   */
  readonly commit?: "message" | "page";
  readonly retry?: RetryPolicy;
  /** Stops the consumer gracefully: the handler in progress finishes and its checkpoint is stored. */
  readonly signal?: AbortSignal;
}

/** A running consumer. */
export interface Consumer {
  readonly group: string;
  /**
   * Resolves the first time the consumer has handled everything the store
   * held when it last looked; rejects if it stops before. Use `onCaughtUp`
   * to hear about every later time.
   */
  readonly caughtUp: Promise<void>;
  /** Resolves once the consumer has stopped and stored its checkpoint. */
  readonly done: Promise<void>;
  /** Stops gracefully (as aborting `signal` does) and resolves with {@link done}. */
  stop(): Promise<void>;
  /** The group's parked messages, oldest first. */
  listParked(options?: ListParkedOptions): Promise<ParkedMessage[]>;
  /** One parked message, with its error and attempt count. */
  getParked(messageId: string): Promise<ParkedMessage | undefined>;
  /** Runs the handler on one parked message again; on success it leaves the parked list. */
  replayParked(messageId: string): Promise<ReplayResult>;
  /** Replays every parked message of the group once, oldest first. */
  replayAllParked(options?: { readonly signal?: AbortSignal }): Promise<ReplayResult[]>;
}

/**
 * Starts a consumer. Delivery is at least once, in the source's order (global
 * order for `all` and categories, version order for a stream); the checkpoint
 * moves only after the handler succeeded, in the same commit as the writes it
 * made through `context.tx`. A message whose handler keeps failing is parked
 * after `retry.maxAttempts` attempts and the consumer moves on: replaying it
 * later delivers it after messages of its stream that came after it.
 *
 * Two consumers of one group without partitions would both move its
 * checkpoint: run one, or use {@link createGroupConsumer} with `partitions: 1`
 * for a standby that takes over.
 *
 * @throws {ValidationError} on bad options, before anything starts
 * @example
 * ```ts
 * import { createMemoryStore } from "../../mod.ts";
 * import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
 * import { createConsumer } from "./consumer.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * let revenue = 0;
 * const consumer = createConsumer(store, {
 *   group: "revenue",
 *   source: { category: "order" },
 *   storage: createMemoryConsumerStorage(),
 *   handler: (message, { tx }) => tx.onCommit(() => (revenue += (message.data as { total: number }).total)),
 * });
 * await consumer.caughtUp;
 * await consumer.stop();
 * console.log(revenue); // 3
 * ```
 */
export function createConsumer<Tx>(
  store: EventStore,
  options: CreateConsumerOptions<Tx>,
): Consumer {
  const group = checkGroup(options.group);
  const source = checkSource(options.source);
  checkFunction(options.handler, "options.handler");
  const batchSize = checkCount(options.batchSize, "options.batchSize", DEFAULT_BATCH_SIZE);
  const env = deliveryEnv(options, group, 1);
  const stopping = new AbortController();
  const unlink = linkSignal(options.signal, stopping);

  let reachedHead!: () => void;
  let stoppedFirst!: (reason: unknown) => void;
  const caughtUp = new Promise<void>((resolve, reject) => {
    reachedHead = resolve;
    stoppedFirst = reject;
  });
  caughtUp.catch(() => {}); // a consumer stopped early is not an unhandled rejection
  const hooks: ConsumerHooks = {
    ...env.hooks,
    onCaughtUp: (position, partition) => {
      reachedHead();
      options.onCaughtUp?.(position, partition);
    },
  };
  const done = runPartition({
    env: { ...env, hooks },
    store,
    source,
    partition: 0,
    batchSize,
    signal: stopping.signal,
  })
    .then(() => {})
    .finally(() => {
      unlink();
      stoppedFirst(new Error(`Consumer "${group}" stopped before it caught up`));
    });

  return {
    group,
    caughtUp,
    done,
    stop: () => {
      stopping.abort();
      return done;
    },
    ...parkedApi(env),
  };
}

/** The delivery environment of a consumer, from its checked options. */
export function deliveryEnv<Tx>(
  options: CreateConsumerOptions<Tx> & { readonly concurrency?: number },
  group: string,
  slots: number,
): DeliveryEnv<Tx> {
  checkStorage(options.storage);
  return {
    group,
    storage: options.storage,
    handler: options.handler,
    retry: checkRetryPolicy(options.retry),
    commitPerPage: checkCommitMode(options.commit),
    limiter: new Limiter(slots),
    hooks: {
      onParked: options.onParked,
      onError: options.onError,
      onPage: options.onPage,
      onCaughtUp: options.onCaughtUp,
    },
  };
}

function checkCommitMode(mode: unknown): boolean {
  if (mode === undefined || mode === "message") return false;
  if (mode === "page") return true;
  throw new ValidationError("options.commit", mode, 'expected "message" or "page"');
}

/** The parked-message methods of a consumer. */
export function parkedApi<Tx>(
  env: DeliveryEnv<Tx>,
): Pick<Consumer, "listParked" | "getParked" | "replayParked" | "replayAllParked"> {
  return {
    listParked: (options) => env.storage.parked.list(env.group, options),
    getParked: (messageId) => env.storage.parked.get(env.group, messageId),
    replayParked: (messageId) => replayOne(env, messageId),
    replayAllParked: (options) => replayAll(env, options),
  };
}

/** Aborts `controller` when `signal` does; returns the undo. */
export function linkSignal(
  signal: AbortSignal | undefined,
  controller: AbortController,
): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => {};
  }
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}
