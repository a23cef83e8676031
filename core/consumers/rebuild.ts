/**
 * Projection rebuild: forget a group's checkpoint, clear its read model, and
 * replay its source from the start up to the head as it was when the rebuild
 * began, reporting progress a CLI can draw as a bar.
 *
 * @module
 */

import type { EventStore } from "../event_store.ts";
import type { JsonMessage, MessageShape } from "../message.ts";
import { createConsumer } from "./consumer.ts";
import type { CreateConsumerOptions } from "./consumer_types.ts";
import type { TransactionalCommit } from "./handler.ts";
import { linkSignal } from "./_link_signal.ts";
import {
  checkConsumerOptions,
  checkGroup,
  checkStorage,
  CONSUMER_OPTION_KEYS,
} from "./_options.ts";
import { claimGroup } from "./_running_groups.ts";
import { checkSource, type ConsumerSource } from "./source.ts";
import { ValidationError } from "../errors.ts";

const REBUILD_OPTION_KEYS: readonly string[] = [
  ...CONSUMER_OPTION_KEYS,
  "reset",
  "onProgress",
  "from",
];

/** How far a rebuild is. */
export interface RebuildProgress {
  /** Messages handled (or parked) so far. */
  readonly processed: number;
  /**
   * Of those, the messages parked: each once, however often its `onParked`
   * was retried. Nonzero means the read model lacks them until they are
   * replayed (`listParked()`, `ordo parked <group>`).
   */
  readonly parked: number;
  /**
   * Messages the rebuild will handle: exact for a stream and for `all`
   * without a type filter on a gap-free store, otherwise estimated from how far
   * through the positions the rebuild is.
   */
  readonly total: number;
  /** Share done, 0 to 1, by position. */
  readonly fraction: number;
  /** Messages per second since the start. */
  readonly rate: number;
  /** Milliseconds left at the current rate; `undefined` until something was handled. */
  readonly etaMs: number | undefined;
  /** Milliseconds since the rebuild started. */
  readonly elapsedMs: number;
  /**
   * The checkpoint now: where the next read starts, one past the last message
   * handled (its global position, or its stream version for a stream source).
   */
  readonly position: bigint;
  /**
   * The checkpoint the rebuild runs to, one past the source's end when it
   * started (for a category, its newest message when the store has
   * `listCategories`, else the head); `position` reaches it once everything
   * was replayed, unless a `types` filter passed over the source's last
   * messages. `0n` for a source that had no message.
   */
  readonly target: bigint;
}

/**
 * Options of {@link rebuildProjection}: a consumer's, except that `commit`
 * defaults to `"page"` (one transaction per page of `batchSize` messages).
 */
export interface RebuildProjectionOptions<Tx, E extends MessageShape = JsonMessage>
  extends CreateConsumerOptions<Tx, TransactionalCommit, E> {
  /** Clears the read model; runs after the checkpoint was forgotten and before the replay. */
  readonly reset?: () => Promise<void> | void;
  /** After every page. */
  readonly onProgress?: (progress: RebuildProgress) => void;
  /**
   * Where the replay starts: a global position (a stream version for a
   * stream source). Default the start. The read model is still cleared by
   * `reset`; use it to rebuild a projection whose early history it ignores.
   */
  readonly from?: bigint;
}

/**
 * Rebuilds a projection and resolves with the final progress once it has
 * replayed everything up to the head as it was when it began (a live consumer
 * of the same group can then take over from the checkpoint). Stop the group's
 * live consumer first; to keep serving the old read model meanwhile, rebuild
 * into a new group and a new read model, then switch (docs/decisions/consumers.md).
 *
 * @throws {ValidationError} on bad options (an unknown key too), before anything is reset
 * @throws {ValidationError} at `options.group`, before anything is reset, while a consumer or a
 * group member of this group runs on the same `storage` object in this process (and a consumer
 * started while the rebuild runs is refused the same way)
 *
 * It commits per page by default (`commit: "page"`): the handlers of a page
 * run in one transaction with its checkpoint, so a rebuild costs a commit per
 * page, not per message (on PostgreSQL 3,000 messages went from about 3.4 s to
 * tenths of a second; docs/decisions/consumers.md). A handler that fails
 * rolls its page back, and the page is narrowed down to the failing message;
 * one that keeps failing is parked and counted in `parked` (the read model
 * lacks it until it is replayed).
 * A `pageHandler` gets each page at once, to write it in one statement.
 * Pass `commit: "message"` for a commit per message.
 *
 * Aborting `signal` stops the rebuild after the page in progress (the handler
 * in progress under `commit: "message"`); the checkpoint then says how far it
 * got, and so does the result (its `position` is the checkpoint), and a
 * consumer of the group continues from there.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../../mod.ts";
 * import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
 * import { rebuildProjection } from "./rebuild.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * const totals = new Map<string, number>();
 * const result = await rebuildProjection(store, {
 *   group: "totals", source: { category: "order" }, storage: createMemoryConsumerStorage(),
 *   reset: () => totals.clear(),
 *   handler: (m, { tx }) => tx.onCommit(() => totals.set(m.streamName, (m.data as { total: number }).total)),
 *   onProgress: (p) => console.log(`${p.processed}/${p.total} ${Math.round(p.fraction * 100)}%`),
 * });
 * console.log(result.processed); // 1
 * ```
 */
export async function rebuildProjection<Tx, E extends MessageShape = JsonMessage>(
  store: EventStore<E>,
  options: RebuildProjectionOptions<Tx, E>,
): Promise<RebuildProgress> {
  checkConsumerOptions(options, REBUILD_OPTION_KEYS);
  const group = checkGroup(options.group);
  const source = checkSource(options.source);
  const from = options.from ?? 0n;
  if (typeof from !== "bigint" || from < 0n) {
    throw new ValidationError("options.from", from, "must be a bigint from 0n");
  }
  checkStorage(options.storage);
  // Before the checkpoint is reset: a consumer of the group running on this storage would go on
  // from under the reset, and the rebuild's consumer would be refused after the read model was cleared.
  const release = claimGroup(options.storage, group, { kind: "rebuild" });
  try {
    return await replay(store, options, { group, source, from }, release);
  } finally {
    release();
  }
}

/** The rebuild itself, once checked and claimed; `release` hands the claim to its consumer. */
async function replay<Tx, E extends MessageShape>(
  store: EventStore<E>,
  options: RebuildProjectionOptions<Tx, E>,
  { group, source, from }: { group: string; source: ConsumerSource; from: bigint },
  release: () => void,
): Promise<RebuildProgress> {
  const startedAt = performance.now();
  // Progress counts checkpoints from where the replay starts. Global
  // positions start at 1, so checkpoints 0 and 1 both mean "nothing done".
  const start = "stream" in source || from > 0n ? from : 1n;
  // Both checkpoints, like `position`: a user trial read "rebuilt up to
  // position 3001" beside a target of 3000 (the last message's position).
  let target: bigint;
  let exactTotal: number | undefined;
  if ("stream" in source) {
    const info = await store.getStreamInfo(source.stream);
    target = BigInt(info.version === undefined ? 0 : info.version + 1);
    exactTotal = Math.max(0, Number(target - start));
  } else {
    const last = await lastPosition(store, source);
    target = last === 0n ? 0n : last + 1n;
    if ("all" in source && source.types === undefined) {
      exactTotal = Math.max(0, Number(target - start));
    }
  }
  await options.storage.checkpoints.reset(group);
  if (from > 0n) {
    await options.storage.checkpoints.commit({ group, partition: 0, position: from }, () => {});
  }
  await options.reset?.();

  let processed = 0;
  // By id: a rejected onParked is called again for the same message.
  const parked = new Set<string>();
  let position = from;
  // Caught up: the messages between the last one of the source and the head belong to other sources.
  let complete = false;
  const progress = (): RebuildProgress => {
    const elapsedMs = performance.now() - startedAt;
    const done = position - start;
    const span = target - start;
    const fraction = complete || span <= 0n
      ? 1
      : Math.min(1, Math.max(0, Number(done) / Number(span)));
    const total = complete ? processed : exactTotal ??
      (fraction > 0 ? Math.max(processed, Math.round(processed / fraction)) : processed);
    const rate = elapsedMs > 0 ? (processed * 1000) / elapsedMs : 0;
    const etaMs = processed === 0
      ? undefined
      : fraction >= 1
      ? 0
      : (elapsedMs * (1 - fraction)) / fraction;
    return {
      processed,
      parked: parked.size,
      total,
      fraction,
      rate,
      etaMs,
      elapsedMs,
      position,
      target,
    };
  };

  const stopping = new AbortController();
  const unlink = linkSignal(options.signal, stopping);
  const { reset: _reset, onProgress: _onProgress, from: _from, ...consumerOptions } = options;
  // Handed over with nothing in between: createConsumer claims the group again synchronously.
  release();
  const consumer = createConsumer(store, {
    ...consumerOptions,
    commit: options.commit ?? "page",
    signal: stopping.signal,
    onParked: (entry) => {
      parked.add(entry.message.id);
      return options.onParked?.(entry);
    },
    onPage: (page) => {
      // An empty page read while waiting at the end moves nothing: reporting
      // it would print the same progress again.
      const moved = page.handled > 0 || page.position !== position;
      processed += page.handled;
      position = page.position;
      options.onPage?.(page);
      if (moved) options.onProgress?.(progress());
    },
  });
  try {
    await Promise.race([consumer.caughtUp.then(() => (complete = true), () => {}), consumer.done]);
    // Stopped before it caught up: by the signal (done resolves, and the
    // progress so far is the answer), or by a failure (a handler past its
    // retries, a hook that threw), which done rejects with and the caller
    // must get instead of a partial rebuild that looks finished.
    if (!complete) await consumer.done;
  } finally {
    await consumer.stop();
    unlink();
  }
  return progress();
}

/**
 * Where a category or `all` ends as the rebuild starts: a category's newest
 * message when the store can list categories (on PostgreSQL one index probe
 * per category, a few ms), so that other categories' messages after it do
 * not hold the progress back; otherwise the store's head.
 */
async function lastPosition(
  store: Pick<EventStore, "headPosition" | "listCategories">,
  source: ConsumerSource,
): Promise<bigint> {
  if (!("category" in source) || store.listCategories === undefined) {
    return await store.headPosition();
  }
  const categories = await store.listCategories();
  return categories.find((c) => c.category === source.category)?.lastPosition ?? 0n;
}
