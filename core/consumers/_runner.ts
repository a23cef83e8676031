// The read loop of one partition (or of a consumer without partitions): catch
// up from the checkpoint in bounded pages, then follow live, woken by the
// store's waitForAppend rather than by polling.

import type { EventStore } from "../event_store.ts";
import { backoffDelay } from "./backoff.ts";
import { deliver, deliverPage, type DeliveryEnv } from "./_deliver.ts";
import { partitionOf } from "./partition.ts";
import { sleep } from "./_sleep.ts";
import { type ConsumerSource, positionAfter, readSourcePage } from "./source.ts";
import type { LeaseFence } from "./storage.ts";

/** One partition's loop. */
export interface RunnerOptions<Tx> {
  readonly env: DeliveryEnv<Tx>;
  readonly store: EventStore;
  readonly source: ConsumerSource;
  readonly partition: number;
  /** Set for a group: only messages of streams hashing to `partition` are handled. */
  readonly partitions?: number;
  readonly batchSize: number;
  readonly lease?: LeaseFence;
  /** Asked before each message: false when the lease may have run out, which ends the loop as fenced. */
  readonly holdsLease?: () => boolean;
  readonly signal: AbortSignal;
}

/** Why a loop ended: asked to stop, its lease was lost, or the store closed. */
export type RunnerEnd = "stopped" | "fenced" | "closed";

/** Runs until the signal aborts (after the handler in progress), the lease is lost, or the store closes. */
export async function runPartition<Tx>(options: RunnerOptions<Tx>): Promise<RunnerEnd> {
  const { env, store, source, partition, partitions, batchSize, lease, holdsLease, signal } =
    options;
  const { hooks } = env;
  let failures = 0;
  // Store and storage failures are retried with backoff until they pass or the consumer stops.
  const retryAfter = async (error: unknown, phase: "store" | "storage"): Promise<boolean> => {
    hooks.onError?.(error, { phase, partition });
    return await sleep(backoffDelay(env.retry, ++failures), signal);
  };

  let next: bigint | undefined;
  while (next === undefined) {
    if (signal.aborted) return "stopped";
    try {
      next = (await env.storage.checkpoints.load(env.group, partition)) ?? 0n;
    } catch (error) {
      if (!(await retryAfter(error, "storage"))) return "stopped";
    }
  }

  let committed = next;
  // The global head up to which this source has been read to the end: the
  // position to wait past. A category or stream checkpoint cannot serve, since
  // other streams' messages move the head past it and the wait would return at once.
  let scanned = -1n;
  let nearHead = true;
  while (!signal.aborted) {
    let head: bigint | undefined;
    let page;
    try {
      // The head is read before the page, so a short page proves everything up to it was seen.
      if (nearHead) head = await store.headPosition();
      page = await readSourcePage(store, source, { from: next, limit: batchSize });
    } catch (error) {
      if (!(await retryAfter(error, "store"))) return "stopped";
      continue;
    }
    failures = 0;
    let handled = 0;
    // Per-page commits: the whole page in one transaction; on failure, the
    // loop below delivers it one message at a time from the same start.
    const effectsDone = new Map<string, Set<string>>();
    let pageCommitted = false;
    if (env.commitPerPage && page.messages.length > 0 && !signal.aborted) {
      if (holdsLease !== undefined && !holdsLease()) return "fenced";
      const mine = partitions === undefined
        ? page.messages
        : page.messages.filter((m) => partitionOf(m.streamName, partitions) === partition);
      const end = positionAfter(source, page.messages[page.messages.length - 1]);
      const outcome = await deliverPage(
        env,
        mine,
        { partition, position: end, lease },
        effectsDone,
      );
      if (outcome === "fenced") return "fenced";
      if (outcome === "handled") {
        next = committed = end;
        handled = mine.length;
        pageCommitted = true;
      }
    }
    for (const message of pageCommitted ? [] : page.messages) {
      if (signal.aborted) break;
      if (partitions !== undefined && partitionOf(message.streamName, partitions) !== partition) {
        next = positionAfter(source, message);
        continue;
      }
      if (holdsLease !== undefined && !holdsLease()) return "fenced";
      const after = positionAfter(source, message);
      const outcome = await deliver(env, message, {
        partition,
        position: after,
        lease,
        signal,
        effectsDone: effectsDone.get(message.id),
      });
      if (outcome === "fenced") return "fenced";
      if (outcome === "stopped") return "stopped";
      next = committed = after;
      handled++;
    }
    if (!signal.aborted && next > committed) {
      // Only other partitions' messages since the last commit: save the skip,
      // so a restart does not read them all again.
      try {
        if (
          !(await env.storage.checkpoints.commit({
            group: env.group,
            partition,
            position: next,
            lease,
          }, () => {}))
        ) return "fenced";
        committed = next;
      } catch (error) {
        if (!(await retryAfter(error, "storage"))) return "stopped";
      }
    }
    if (signal.aborted) break;
    hooks.onPage?.({ partition, handled, position: next });
    const short = page.messages.length < batchSize;
    if (!short) {
      nearHead = false;
      continue;
    }
    if (head === undefined) {
      // A short page without a head read first: read once more with one.
      nearHead = true;
      continue;
    }
    if (head > scanned) scanned = head;
    hooks.onCaughtUp?.(next, partition);
    try {
      if (!(await store.waitForAppend(scanned, { signal }))) return "closed";
    } catch (error) {
      if (signal.aborted) break;
      if (!(await retryAfter(error, "store"))) return "stopped";
    }
    nearHead = true;
  }
  return "stopped";
}
