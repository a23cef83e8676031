/**
 * A consumer: reads a stream, a category or the whole store from its
 * checkpoint, catches up in bounded pages, then follows live, woken by the
 * store. Each message's handler and checkpoint commit together (or, under
 * `commit: "after-handler"`, the checkpoint commits after the handler);
 * failures are retried with backoff, then parked, and the consumer moves on.
 *
 * @module
 */

import type { EventStore } from "../event_store.ts";
import type { RetryPolicy } from "./backoff.ts";
import { deliveryEnv } from "./_delivery_env.ts";
import { firstCatchUp } from "./_first_catch_up.ts";
import type {
  CommitMode,
  ConsumerHooks,
  HandlerTx,
  MessageHandler,
  TransactionalCommit,
} from "./handler.ts";
import { linkSignal } from "./_link_signal.ts";
import { checkCount, checkFunction, checkGroup, DEFAULT_BATCH_SIZE } from "./_options.ts";
import { parkedApi } from "./_parked_api.ts";
import type { ReplayResult } from "./_replay.ts";
import { runPartition } from "./_runner.ts";
import { checkSource, type ConsumerSource } from "./source.ts";
import type { ConsumerStorage, ListParkedOptions, ParkedMessage } from "./storage.ts";

/**
 * Options of {@link createConsumer}. `Commit` is the commit mode, inferred
 * from `commit`: under `"after-handler"` the handler's `context.tx` is `undefined`.
 */
export interface CreateConsumerOptions<Tx, Commit extends CommitMode = TransactionalCommit>
  extends ConsumerHooks {
  /** Names the checkpoint and the parked list; consumers of one group share them. */
  readonly group: string;
  readonly source: ConsumerSource;
  readonly handler: MessageHandler<HandlerTx<Tx, Commit>>;
  readonly storage: ConsumerStorage<Tx>;
  /** Messages per read, and so most messages held in memory at once. Default 100. */
  readonly batchSize?: number;
  /**
   * How the checkpoint commits (see {@link CommitMode}). `"message"` (the
   * default): one transaction per message, the handler inside it. `"page"`:
   * the handlers of a whole page run in one transaction, which then saves the
   * page's checkpoint — far fewer commits when catching up. If a handler in
   * the page fails, the page rolls back and its messages are delivered again
   * one at a time (so handlers before the failing one run twice; their writes
   * through `tx` take effect once). `stop()` then waits for the page in
   * progress. `"after-handler"`: the handler runs outside any transaction
   * (`tx` is `undefined`) and the checkpoint commits once it resolved; a
   * failed commit is retried without running the handler again.
   */
  readonly commit?: Commit;
  readonly retry?: RetryPolicy;
  /**
   * Handler errors no retry can change (a refusal by the message's contract,
   * say): when it answers `true` the message is parked after the attempt that
   * threw, whatever `retry` allows. A predicate that throws is reported to
   * `onError` and the message parked. Default: every error is retried.
   */
  readonly parkAtOnce?: (error: unknown) => boolean;
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
 * after `retry.maxAttempts` attempts (at once for an error `parkAtOnce`
 * accepts) and the consumer moves on once `onParked` resolved: replaying it
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
export function createConsumer<Tx, Commit extends CommitMode = TransactionalCommit>(
  store: EventStore,
  options: CreateConsumerOptions<Tx, Commit>,
): Consumer {
  const group = checkGroup(options.group);
  const source = checkSource(options.source);
  checkFunction(options.handler, "options.handler");
  const batchSize = checkCount(options.batchSize, "options.batchSize", DEFAULT_BATCH_SIZE);
  const env = deliveryEnv(options, group, 1);
  const stopping = new AbortController();
  const unlink = linkSignal(options.signal, stopping);
  const caughtUp = firstCatchUp();
  const hooks: ConsumerHooks = {
    ...env.hooks,
    onCaughtUp: (position, partition) => {
      caughtUp.reached();
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
      caughtUp.stoppedBefore(new Error(`Consumer "${group}" stopped before it caught up`));
    });

  return {
    group,
    caughtUp: caughtUp.promise,
    done,
    stop: () => {
      stopping.abort();
      return done;
    },
    ...parkedApi(env),
  };
}
