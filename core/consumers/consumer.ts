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
import { ClosedError } from "../errors.ts";
import { observeConsumer } from "./_consumer_gauges.ts";
import { type DeliveryEnv, deliveryEnv, Failure } from "./_delivery_env.ts";
import { firstCatchUp } from "./_first_catch_up.ts";
import type { CommitMode, ConsumerHooks, TransactionalCommit } from "./handler.ts";
import { linkSignal } from "./_link_signal.ts";
import { checkCount } from "../options.ts";
import { MAX_READ_LIMIT } from "../validate_read.ts";
import {
  checkConsumerOptions,
  checkConsumerStart,
  checkGroup,
  checkHandlers,
  CONSUMER_OPTION_KEYS,
  DEFAULT_BATCH_SIZE,
} from "./_options.ts";
import { consumerApi } from "./_parked_api.ts";
import { runPartition } from "./_runner.ts";
import { statusApi } from "./_status_api.ts";
import { checkSource } from "./source.ts";
import type { Consumer, CreateConsumerOptions } from "./consumer_types.ts";
import { checkControlInterval, runControlLink } from "./_control_link.ts";
import { claimGroup } from "./_running_groups.ts";

/**
 * Starts a consumer. Delivery is at least once, in the source's order (global
 * order for `all` and categories, version order for a stream); the checkpoint
 * moves only after the handler succeeded, in the same commit as the writes it
 * made through `context.tx`. A message whose handler keeps failing is parked
 * after `retry.maxAttempts` attempts (at once for an error `parkAtOnce`
 * accepts) and the consumer moves on once `onParked` resolved: replaying it
 * later delivers it after messages of its stream that came after it.
 *
 * Nothing is silent: each handler failure (with its attempt), parked
 * message, and store or storage failure being retried is logged, one line
 * each, to `options.logger` (default: the store's logger, else the console).
 * An error that retrying cannot fix (an unmigrated schema: `NotMigratedError`)
 * ends the consumer at once: one line says what to do, and `caughtUp` and
 * `done` reject with it. `stop()` ends delivery; `close()` also refuses every
 * later call with `ClosedError`.
 *
 * Two consumers of one group without partitions would both move its
 * checkpoint: run one, or use {@link createGroupConsumer} with `partitions: 1`
 * for a standby that takes over. In one process this is refused: a second
 * start of a group on the same `storage` object while the first runs (until
 * its `stop()` resolves) throws.
 *
 * @throws {ValidationError} on bad options (an unknown key too), before anything starts
 * @throws {ValidationError} at `options.group` while a consumer, a rebuild or a group member of
 * this group runs on the same `storage` object in this process
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
  checkConsumerOptions(options, CONSUMER_OPTION_KEYS);
  const group = checkGroup(options.group);
  const source = checkSource(options.source);
  checkHandlers(options.handler, options.pageHandler);
  const from = checkConsumerStart(options.from);
  const batchSize = checkCount(
    options.batchSize,
    "options.batchSize",
    DEFAULT_BATCH_SIZE,
    MAX_READ_LIMIT,
  );
  const controlInterval = checkControlInterval(options.controlInterval);
  const stopping = new AbortController();
  const failure = new Failure(() => stopping.abort(), () => env.logger, { group });
  const untyped = untypedStore(store);
  const env: DeliveryEnv<Tx> = deliveryEnv(store, options, group, {
    slots: 1,
    fail: failure.fail,
  });
  // Last of the checks, before anything starts; held until the loops ended.
  const release = claimGroup(options.storage, group, { kind: "consumer" });
  const unobserve = env.telemetry === undefined ? () => {} : observeConsumer(env.telemetry, {
    group,
    store: untyped,
    parked: env.storage.parked,
    monitor: env.monitor,
  });
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
      store: untyped,
      source,
      partition: 0,
      batchSize,
      from,
      signal: stopping.signal,
    }).catch(failure.thrown).finally(() => stopping.abort()),
    runControlLink(env, identity, controlInterval, stopping.signal),
  ])
    .then(() => {
      const failed = failure.error;
      if (failed !== undefined) throw failed.error;
    })
    .finally(() => {
      release();
      unlink();
      unobserve();
      env.monitor.stop(failure.cause);
      caughtUp.stoppedBefore(
        failure.reason(() => new ClosedError(`consumer "${group}"`, "catch up")),
      );
    });
  return {
    ...consumerApi(env, { group, caughtUp: caughtUp.promise, done, stopping }),
    ...statusApi(env, untyped),
  };
}
