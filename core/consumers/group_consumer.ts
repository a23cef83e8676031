/**
 * A consumer group member: several processes (or several members in one
 * process) share a category or the whole store. Streams are split into
 * partitions by a stable hash of their name, so each stream keeps its order;
 * each partition is handled by the one member holding its lease, and
 * partitions move between members as they join, leave or crash.
 *
 * @module
 */

import type { EventStore } from "../event_store.ts";
import { ValidationError } from "../errors.ts";
import {
  type Consumer,
  type CreateConsumerOptions,
  deliveryEnv,
  linkSignal,
  parkedApi,
} from "./consumer.ts";
import type { ConsumerHooks } from "./handler.ts";
import { checkCount, checkFunction, checkGroup, DEFAULT_BATCH_SIZE } from "./_options.ts";
import { checkPartitions } from "./partition.ts";
import { type RunnerEnd, runPartition } from "./_runner.ts";
import { sleep } from "./_sleep.ts";
import { checkSource, type ConsumerSource } from "./source.ts";
import type { Lease } from "./storage.ts";

/** Options of {@link createGroupConsumer}. */
export interface CreateGroupConsumerOptions<Tx> extends Omit<CreateConsumerOptions<Tx>, "source"> {
  /** A category or the whole store; a single stream has one partition and needs no group. */
  readonly source: Exclude<ConsumerSource, { readonly stream: string }>;
  /** Partitions of the group; every member must use the same number. 1 gives one active member and standbys. */
  readonly partitions: number;
  /** This member's name, unique in the group. Default: a random UUID. */
  readonly member?: string;
  /** How long a lease or a membership lasts without renewal, in ms. Default 10,000. A crashed member's partitions move after this. */
  readonly leaseTtl?: number;
  /** How often leases and membership are renewed and partitions rebalanced, in ms. Default `leaseTtl / 3`. */
  readonly heartbeatInterval?: number;
  /** Most handler calls at once across this member's partitions. Default 4. */
  readonly concurrency?: number;
}

/** A running member of a consumer group. */
export interface GroupConsumer extends Consumer {
  readonly member: string;
  /** Partitions this member is handling now. */
  ownedPartitions(): number[];
}

interface Running {
  readonly controller: AbortController;
  readonly lease: Lease;
  /** Local time (performance.now) until which the lease is surely held. */
  heldUntil: number;
  caughtUp: boolean;
  stopping: boolean;
}

/**
 * Starts a member of a consumer group.
 *
 * Partition `p` belongs to the live member at index `p % n` of the sorted
 * member list. A member stops a partition it no longer should own after the
 * handler in progress, then releases its lease; the new owner takes the lease
 * and starts from the stored checkpoint, so nothing is lost. Commits are
 * fenced by the lease token: a member whose lease ran out (a crash, a long
 * pause) can never move a checkpoint again, and a member starts a handler only
 * while its lease surely holds by its own clock.
 *
 * `caughtUp` resolves the first time every partition this member should own is
 * running and has caught up.
 *
 * @throws {ValidationError} on bad options, before anything starts
 * @example
 * ```ts
 * import { createMemoryStore } from "../../mod.ts";
 * import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
 * import { createGroupConsumer } from "./group_consumer.ts";
 * const store = createMemoryStore();
 * const storage = createMemoryConsumerStorage();
 * const member = createGroupConsumer(store, {
 *   group: "shipping", source: { category: "order" }, partitions: 8, storage,
 *   handler: (message) => console.log(message.streamName),
 * });
 * await member.caughtUp;
 * await member.stop();
 * ```
 */
export function createGroupConsumer<Tx>(
  store: EventStore,
  options: CreateGroupConsumerOptions<Tx>,
): GroupConsumer {
  const group = checkGroup(options.group);
  const source = checkSource(options.source);
  if ("stream" in source) {
    throw new ValidationError(
      "options.source",
      source,
      "a consumer group reads a category or all, not one stream",
    );
  }
  checkFunction(options.handler, "options.handler");
  const partitions = checkPartitions(options.partitions);
  const batchSize = checkCount(options.batchSize, "options.batchSize", DEFAULT_BATCH_SIZE);
  const leaseTtl = checkCount(options.leaseTtl, "options.leaseTtl", 10_000, 86_400_000);
  const heartbeatInterval = checkCount(
    options.heartbeatInterval,
    "options.heartbeatInterval",
    Math.max(1, Math.floor(leaseTtl / 3)),
    leaseTtl,
  );
  const concurrency = checkCount(options.concurrency, "options.concurrency", 4, 10_000);
  const member = options.member ?? crypto.randomUUID();
  if (typeof member !== "string" || member.length === 0) {
    throw new ValidationError("options.member", member, "must be a non-empty string");
  }
  const env = deliveryEnv(options, group, concurrency);
  const { leases } = options.storage;
  const stopping = new AbortController();
  const unlink = linkSignal(options.signal, stopping);
  const running = new Map<number, Running>();
  const finished = new Set<Promise<void>>();
  let desired = new Set<number>();

  let reachedHead!: () => void;
  let stoppedFirst!: (reason: unknown) => void;
  const caughtUp = new Promise<void>((resolve, reject) => {
    reachedHead = resolve;
    stoppedFirst = reject;
  });
  caughtUp.catch(() => {});
  const checkCaughtUp = () => {
    for (const p of desired) if (running.get(p)?.caughtUp !== true) return;
    reachedHead();
  };
  const hooks: ConsumerHooks = {
    ...env.hooks,
    onCaughtUp: (position, partition) => {
      const run = running.get(partition);
      if (run !== undefined) run.caughtUp = true;
      checkCaughtUp();
      options.onCaughtUp?.(position, partition);
    },
  };

  const start = (partition: number, lease: Lease, requestedAt: number) => {
    const controller = new AbortController();
    const run: Running = {
      controller,
      lease,
      heldUntil: requestedAt + leaseTtl,
      caughtUp: false,
      stopping: false,
    };
    running.set(partition, run);
    const ended = runPartition({
      env: { ...env, hooks },
      store,
      source,
      partition,
      partitions,
      batchSize,
      lease,
      holdsLease: () => performance.now() < run.heldUntil,
      signal: controller.signal,
    }).then(async (end: RunnerEnd) => {
      running.delete(partition);
      // A fenced-out member holds nothing to release; the others hand the partition back now.
      if (end !== "fenced") {
        await leases.release(lease).catch((error) =>
          env.hooks.onError?.(error, { phase: "storage", partition })
        );
      }
    });
    const tracked = ended.finally(() => finished.delete(tracked));
    finished.add(tracked);
  };

  const tick = async () => {
    const members = await leases.heartbeat(group, member, { ttl: leaseTtl });
    // A store whose clock ran past our ttl already may leave us out; we are alive, so count us.
    if (!members.includes(member)) {
      members.push(member);
      members.sort();
    }
    const index = members.indexOf(member);
    desired = new Set(
      Array.from({ length: partitions }, (_, p) => p).filter((p) => p % members.length === index),
    );
    for (const [partition, run] of running) {
      if (run.stopping) continue;
      if (!desired.has(partition)) {
        run.stopping = true;
        run.controller.abort();
        continue;
      }
      const requestedAt = performance.now();
      const renewed = await leases.acquire(group, partition, { owner: member, ttl: leaseTtl });
      if (renewed !== undefined && renewed.token === run.lease.token) {
        run.heldUntil = requestedAt + leaseTtl;
      } else {
        run.stopping = true;
        run.controller.abort();
      }
    }
    for (const partition of desired) {
      if (running.has(partition) || stopping.signal.aborted) continue;
      const requestedAt = performance.now();
      const lease = await leases.acquire(group, partition, { owner: member, ttl: leaseTtl });
      if (lease !== undefined) start(partition, lease, requestedAt);
    }
    checkCaughtUp();
  };

  const done = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await tick();
      } catch (error) {
        env.hooks.onError?.(error, { phase: "storage", partition: -1 });
      }
      await sleep(heartbeatInterval, stopping.signal);
    }
    for (const run of running.values()) run.controller.abort();
    while (finished.size > 0) await Promise.all(finished);
    await leases.leave(group, member).catch((error) =>
      env.hooks.onError?.(error, { phase: "storage", partition: -1 })
    );
  })().finally(() => {
    unlink();
    stoppedFirst(
      new Error(`Consumer group member "${member}" of "${group}" stopped before it caught up`),
    );
  });

  return {
    group,
    member,
    caughtUp,
    done,
    stop: () => {
      stopping.abort();
      return done;
    },
    ownedPartitions: () => [...running.keys()].sort((a, b) => a - b),
    ...parkedApi(env),
  };
}
