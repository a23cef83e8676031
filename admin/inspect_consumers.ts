/**
 * Consumers as operators see them from outside their processes: what the
 * consumer storage and the store say about every group (checkpoints,
 * leases and their owners, running consumers, parked messages, pending
 * replays) and how far each lags. The `ordo` command line and the console
 * both show this; the field names follow a running consumer's own
 * `status()` where they mean the same.
 *
 * @module
 */

import type {
  CheckpointEntry,
  ConsumerSource,
  ConsumerStorage,
  EventStore,
  GroupLeases,
  KnownGroup,
  ParkedGroup,
  PresentConsumer,
  ReplayRequest,
} from "../core/mod.ts";
import { checkOptions, compareNames, DEFAULT_COUNT_CAP } from "../core/mod.ts";
import {
  checkNatsEventGroups,
  type NatsEventGroupLister,
  withNatsEventGroups,
} from "./_nats_event_groups.ts";
import { settledAll } from "./_settled_all.ts";

/** A consumer running now, as it last announced itself. */
export interface RunningConsumerView {
  /** A group member's name, or a consumer's random id. */
  readonly instance: string;
  /** ISO 8601, when it started. */
  readonly startedAt: string;
  /** ISO 8601: it counts as stopped if not heard from by then. */
  readonly expiresAt: string;
}

/** One partition of a group (partition 0 for a consumer without partitions). */
export interface PartitionView {
  /** The partition, from 0. */
  readonly partition: number;
  /** Where its next read starts (a global position; a version for a stream source); absent before its first commit. */
  readonly checkpoint?: bigint;
  /** The group member holding its lease, when one does. */
  readonly owner?: string;
  /**
   * When that lease runs out, ISO 8601 like every other time here
   * (`oldestParkedAt`, `parkedAt`); the lease store keeps it as epoch ms.
   */
  readonly leaseExpiresAt?: string;
  /**
   * Messages of the group's source at or after the checkpoint (every
   * partition's: this partition's own share is smaller); absent when the
   * source or the count is unknown.
   */
  readonly lag?: number;
  /** True when the count stopped at its cap: the lag is at least `lag`. */
  readonly lagCapped: boolean;
}

/** The group's most recently parked message, as a last error. */
export interface LastErrorView {
  /** Always `handler`: the handler gave up on a message. */
  readonly phase: "handler";
  /** The error's name. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
  /** ISO 8601, when the message was parked. */
  readonly at: string;
  /** The parked message. */
  readonly messageId: string;
  /** Handler calls so far. */
  readonly attempt: number;
}

/** One consumer group, read from the storage and the store. */
export interface ConsumerGroupView {
  /** The consumer group. */
  readonly group: string;
  /** What it reads, as its consumers last announced it; absent when none ever did. */
  readonly source?: ConsumerSource;
  /** Its partition count, as announced (else the highest checkpointed partition + 1). */
  readonly partitionCount: number;
  /** `running` while a consumer of the group has announced itself recently. */
  readonly state: "running" | "stopped";
  /** Its consumers running now. */
  readonly running: readonly RunningConsumerView[];
  /** Its live group members (consumer groups only). */
  readonly members: readonly string[];
  /** The store's head when this was read. */
  readonly head: bigint;
  /** Messages of the source at or after the slowest partition's checkpoint; absent when unknown. */
  readonly lag?: number;
  /** True when the count stopped at its cap. */
  readonly lagCapped: boolean;
  /**
   * ISO 8601, when the oldest message the group has still to handle (the
   * first of its source at or after the slowest checkpoint) was written:
   * how far behind it is in time, where the lag's count stops at its cap.
   * One read of one message; absent when the lag is 0 or unknown.
   */
  readonly oldestUnhandledAt?: string;
  /** Messages the group has parked. */
  readonly parked: number;
  /** ISO 8601, when its oldest parked message was parked. */
  readonly oldestParkedAt?: string;
  /** Its most recently parked message's error. */
  readonly lastError?: LastErrorView;
  /** Replays asked for and not yet taken by a running consumer. */
  readonly pendingReplays: number;
  /** ISO 8601, when one of its consumers last announced itself. */
  readonly seenAt?: string;
  /** Its partitions, ascending. */
  readonly partitions: readonly PartitionView[];
  /**
   * `"nats"` for a NATS transport's `bus.subscribe` group (from
   * `natsEventGroups`): its checkpoint is its durable JetStream consumer's
   * ack floor, not the storage's, and it takes no replay.
   */
  readonly transport?: "nats";
}

/** Options of {@link inspectConsumers}. */
export interface InspectConsumersOptions {
  /** Only this group. */
  readonly group?: string;
  /** Stop counting a lag here. Default 10,000. */
  readonly lagCap?: number;
  /**
   * Lists the NATS transport's `bus.subscribe` groups, whose positions live in
   * their durable JetStream consumers, not in the storage:
   * `() => listNatsEventGroups(nc, { headers, stream: store.stream, subjectPrefix: store.subjectPrefix })`
   * (`ordo/transports/nats`). Each is listed as one partition at its ack
   * floor, running while a process pulls from it, with `transport: "nats"`.
   */
  readonly natsEventGroups?: NatsEventGroupLister;
}

/** What the storage holds about every group, each part empty when the storage cannot say. */
interface StorageFacts {
  readonly known: KnownGroup[];
  readonly running: PresentConsumer[];
  readonly checkpoints: CheckpointEntry[];
  readonly leases: GroupLeases[];
  readonly parked: ParkedGroup[];
  readonly pending: ReplayRequest[];
  /** The NATS transport's groups among them. */
  readonly nats: ReadonlySet<string>;
}

async function readFacts<Tx>(
  storage: ConsumerStorage<Tx>,
  natsEventGroups: NatsEventGroupLister | undefined,
): Promise<StorageFacts> {
  const { control, checkpoints, leases, parked } = storage;
  const [known, running, entries, groupLeases, parkedGroups, pending, nats] = await settledAll([
    control?.groups() ?? [],
    control?.running() ?? [],
    checkpoints.list?.() ?? [],
    leases.groups?.() ?? [],
    parked.groups?.() ?? [],
    control?.pendingReplays() ?? [],
    natsEventGroups?.() ?? [],
  ]);
  return withNatsEventGroups({
    known,
    running,
    checkpoints: entries,
    leases: groupLeases,
    parked: parkedGroups,
    pending,
    nats: new Set(nats.map((g) => g.group)),
  }, nats);
}

/**
 * Every consumer group the storage knows of (from its announcements,
 * checkpoints, leases, parked messages or replay requests), by name, with
 * its lag counted in the store. Costs a few storage queries, and per group
 * one capped count per partition (one stream lookup for a stream source).
 *
 * @example
 * ```ts
 * import { createConsumer, createMemoryConsumerStorage, createMemoryStore } from "../mod.ts";
 * import { inspectConsumers } from "./inspect_consumers.ts";
 * const store = createMemoryStore();
 * const storage = createMemoryConsumerStorage();
 * const consumer = createConsumer(store, { group: "totals", source: { category: "order" }, storage, handler: () => {} });
 * await consumer.caughtUp;
 * const [totals] = await inspectConsumers(store, storage);
 * console.log(totals.group, totals.state, totals.lag); // totals running 0
 * await consumer.stop();
 * ```
 */
export async function inspectConsumers<Tx>(
  store: EventStore,
  storage: ConsumerStorage<Tx>,
  options: InspectConsumersOptions = {},
): Promise<ConsumerGroupView[]> {
  checkOptions(options, ["group", "lagCap", "natsEventGroups"]);
  const lister = checkNatsEventGroups(options.natsEventGroups, "options.natsEventGroups");
  const [facts, head] = await settledAll([readFacts(storage, lister), store.headPosition()]);
  const names = new Set<string>([
    ...facts.known.map((g) => g.group),
    ...facts.running.map((p) => p.group),
    ...facts.checkpoints.map((c) => c.group),
    ...facts.leases.map((l) => l.group),
    ...facts.parked.map((p) => p.group),
    ...facts.pending.map((r) => r.group),
  ]);
  const wanted = [...names].filter((g) => options.group === undefined || g === options.group)
    .sort(compareNames);
  const cap = options.lagCap ?? DEFAULT_COUNT_CAP;
  return await settledAll(wanted.map((group) => groupView(store, group, facts, head, cap)));
}

async function groupView(
  store: EventStore,
  group: string,
  facts: StorageFacts,
  head: bigint,
  cap: number,
): Promise<ConsumerGroupView> {
  const known = facts.known.find((g) => g.group === group);
  const running = facts.running.filter((p) => p.group === group);
  const source = running[0]?.source ?? known?.source;
  const checkpoints = facts.checkpoints.filter((c) => c.group === group);
  const leases = facts.leases.find((l) => l.group === group);
  const parked = facts.parked.find((p) => p.group === group);
  const partitionCount = running[0]?.partitions ?? known?.partitions ??
    Math.max(1, ...checkpoints.map((c) => c.partition + 1));
  // Partitions often share a checkpoint (each commits past the others' messages): count once per value.
  const counted = new Map<bigint, Promise<{ lag?: number; lagCapped: boolean }>>();
  const lagAt = (from: bigint) => {
    let lag = counted.get(from);
    if (lag === undefined) counted.set(from, lag = lagFrom(store, source, from, cap));
    return lag;
  };
  const partitions: PartitionView[] = [];
  for (let partition = 0; partition < partitionCount; partition++) {
    const checkpoint = checkpoints.find((c) => c.partition === partition)?.position;
    const lease = leases?.leases.find((l) => l.partition === partition);
    const lag = await lagAt(checkpoint ?? 0n);
    partitions.push({
      partition,
      ...(checkpoint === undefined ? {} : { checkpoint }),
      ...(lease === undefined ? {} : {
        owner: lease.owner,
        leaseExpiresAt: new Date(lease.expiresAt).toISOString(),
      }),
      ...lag,
    });
  }
  const slowest = partitions.reduce<bigint>(
    (low, p) => (p.checkpoint ?? 0n) < low ? (p.checkpoint ?? 0n) : low,
    partitions[0]?.checkpoint ?? 0n,
  );
  const lag = await lagAt(slowest);
  const oldest = lag.lag === undefined || lag.lag === 0 || source === undefined
    ? undefined
    : await oldestFrom(store, source, slowest);
  return {
    group,
    ...(source === undefined ? {} : { source }),
    partitionCount,
    state: running.length > 0 ? "running" : "stopped",
    running: running.map(({ instance, startedAt, expiresAt }) => ({
      instance,
      startedAt,
      expiresAt: new Date(expiresAt).toISOString(),
    })),
    members: leases?.members ?? [],
    head,
    ...(lag.lag === undefined ? {} : { lag: lag.lag }),
    lagCapped: lag.lagCapped,
    ...(oldest === undefined ? {} : { oldestUnhandledAt: oldest }),
    parked: parked?.count ?? 0,
    ...(parked === undefined ? {} : {
      oldestParkedAt: parked.oldestParkedAt,
      lastError: {
        phase: "handler",
        name: parked.latest.error.name,
        message: parked.latest.error.message,
        at: parked.latest.parkedAt,
        messageId: parked.latest.messageId,
        attempt: parked.latest.attempts,
      },
    }),
    pendingReplays: facts.pending.filter((r) => r.group === group).length,
    ...(known === undefined ? {} : { seenAt: known.seenAt }),
    partitions,
    ...(facts.nats.has(group) ? { transport: "nats" as const } : {}),
  };
}

/** Messages of `source` at or after `checkpoint`, counted up to `cap`. */
async function lagFrom(
  store: EventStore,
  source: ConsumerSource | undefined,
  checkpoint: bigint,
  cap: number,
): Promise<{ lag?: number; lagCapped: boolean }> {
  if (source === undefined) return { lagCapped: false };
  if ("stream" in source) {
    const { version } = await store.getStreamInfo(source.stream);
    const lag = Math.max(0, (version ?? -1) + 1 - Number(checkpoint));
    return { lag, lagCapped: false };
  }
  if (store.countMessages === undefined) return { lagCapped: false };
  const lag = await store.countMessages({
    ...("category" in source ? { category: source.category } : {}),
    ...(source.types === undefined ? {} : { types: source.types }),
    from: checkpoint,
    max: cap,
  });
  return { lag, lagCapped: lag >= cap };
}

/** When the first message of `source` at or after `checkpoint` was written, if there is one. */
async function oldestFrom(
  store: EventStore,
  source: ConsumerSource,
  checkpoint: bigint,
): Promise<string | undefined> {
  const [first] = "stream" in source
    ? await store.readStream(source.stream, { from: Number(checkpoint), limit: 1 })
    : (await store.readPage({
      from: checkpoint,
      limit: 1,
      ...("category" in source ? { category: source.category } : {}),
      ...(source.types === undefined ? {} : { types: source.types }),
    })).messages;
  const at = first?.metadata.timestamp;
  return typeof at === "string" ? at : undefined;
}
