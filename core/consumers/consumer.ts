/**
 * A consumer: reads a stream, a category or the whole store from its
 * checkpoint, catches up in bounded pages, then follows live, woken by the
 * store. Each message's handler and checkpoint commit together (or, under
 * `commit: "after-handler"`, the checkpoint commits after the handler);
 * failures are retried with backoff, then parked, and the consumer moves on.
 *
 * @module
 */

import { type EventStore, untypedStore } from "../event_store.ts";
import type { JsonMessage, MessageShape } from "../message.ts";
import { deliveryEnv } from "./_delivery_env.ts";
import { firstCatchUp } from "./_first_catch_up.ts";
import type { CommitMode, ConsumerHooks, TransactionalCommit } from "./handler.ts";
import { linkSignal } from "./_link_signal.ts";
import { checkCount, checkFunction, checkGroup, DEFAULT_BATCH_SIZE } from "./_options.ts";
import { parkedApi } from "./_parked_api.ts";
import { runPartition } from "./_runner.ts";
import { checkSource } from "./source.ts";
import type { Consumer, CreateConsumerOptions } from "./consumer_types.ts";
import { checkControlInterval, runControlLink } from "./_control_link.ts";

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
export function createConsumer<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
>(
  store: EventStore<E>,
  options: CreateConsumerOptions<Tx, Commit, E>,
): Consumer {
  const group = checkGroup(options.group);
  const source = checkSource(options.source);
  checkFunction(options.handler, "options.handler");
  const batchSize = checkCount(options.batchSize, "options.batchSize", DEFAULT_BATCH_SIZE);
  const controlInterval = checkControlInterval(options.controlInterval);
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
  const identity = { instance: crypto.randomUUID(), source, partitions: 1 };
  const done = Promise.all([
    runPartition({
      env: { ...env, hooks },
      store: untypedStore(store),
      source,
      partition: 0,
      batchSize,
      signal: stopping.signal,
    }).finally(() => stopping.abort()),
    runControlLink(env, identity, controlInterval, stopping.signal),
  ])
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
