/**
 * A consumer group member: several processes (or several members in one
 * process) share a category or the whole store. Streams are split into
 * partitions by a stable hash of their name, so each stream keeps its order;
 * each partition is handled by the one member holding its lease, and
 * partitions move between members as they join, leave or crash.
 *
 * @module
 */

import { type EventStore, untypedStore } from "../event_store.ts";
import type { JsonMessage, MessageShape } from "../message.ts";
import { ClosedError, ValidationError } from "../errors.ts";
import type { Consumer, CreateConsumerOptions } from "./consumer_types.ts";
import { observeConsumer } from "./_consumer_gauges.ts";
import { type DeliveryEnv, deliveryEnv, Failure } from "./_delivery_env.ts";
import { GroupMember, type MemberSettings } from "./_group_member.ts";
import type { CommitMode, TransactionalCommit } from "./handler.ts";
import { linkSignal } from "./_link_signal.ts";
import { checkCount, checkName } from "../options.ts";
import { MAX_READ_LIMIT } from "../validate_read.ts";
import {
  checkConsumerOptions,
  checkConsumerStart,
  checkGroup,
  checkHandlers,
  DEFAULT_BATCH_SIZE,
  GROUP_CONSUMER_OPTION_KEYS,
} from "./_options.ts";
import { consumerApi } from "./_parked_api.ts";
import { checkPartitions } from "./partition.ts";
import { checkSource, type ConsumerSource } from "./source.ts";
import { checkControlInterval, runControlLink } from "./_control_link.ts";
import { statusApi } from "./_status_api.ts";
import { claimGroup } from "./_running_groups.ts";

/** Options of {@link createGroupConsumer}. */
export interface CreateGroupConsumerOptions<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
> extends Omit<CreateConsumerOptions<Tx, Commit, E>, "source"> {
  /** A category or the whole store; a single stream has one partition and needs no group. */
  readonly source: Exclude<ConsumerSource, { readonly stream: string }>;
  /** Partitions of the group; every member must use the same number. 1 gives one active member and standbys. */
  readonly partitions: number;
  /**
   * This member's name, unique among the group's running members. Default: a
   * random UUID. A second instance started under a name another running
   * instance holds is refused (`done` rejects with a `ValidationError` at
   * `options.member`) once that instance is seen renewing it; a crashed
   * member restarted under its name takes it back once the old membership
   * expires (`leaseTtl`).
   */
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
  /** This member's name in the group, as given or generated. */
  readonly member: string;
  /** Partitions this member is handling now. */
  ownedPartitions(): number[];
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
 * A member's name is held by one running instance at a time (each start is
 * a new instance): a second instance under a live name owns nothing and,
 * once the first is seen renewing its membership (within `leaseTtl` and a
 * heartbeat), stops with a `ValidationError` at `options.member` (`done` and
 * `caughtUp` reject, and the logger says so). A member that finds its name
 * taken after a pause longer than `leaseTtl` stands down the same way. In one
 * process, on one `storage` object, this is known at once: a second start
 * under a running member's name throws.
 *
 * @throws {ValidationError} on bad options (an unknown key too), before anything starts
 * @throws {ValidationError} at `options.member` while a member under this name runs on the same
 * `storage` object in this process, at `options.group` while a plain consumer or a rebuild of the
 * group does
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
export function createGroupConsumer<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
>(
  store: EventStore<E>,
  options: CreateGroupConsumerOptions<Tx, Commit, E>,
): GroupConsumer {
  checkConsumerOptions(options, GROUP_CONSUMER_OPTION_KEYS);
  const group = checkGroup(options.group);
  const settings = checkMemberSettings(options);
  const controlInterval = checkControlInterval(options.controlInterval);
  const untyped = untypedStore(store);
  const stopping = new AbortController();
  const site = { group, member: settings.member };
  const failure = new Failure(() => stopping.abort(), () => env.logger, site);
  const env: DeliveryEnv<Tx> = deliveryEnv(store, options, group, {
    slots: settings.concurrency,
    fail: failure.fail,
    site,
  });
  // Last of the checks, before anything starts; held until the member's loops ended.
  const release = claimGroup(options.storage, group, { kind: "member", member: settings.member });
  const unobserve = env.telemetry === undefined ? () => {} : observeConsumer(env.telemetry, {
    group,
    member: settings.member,
    store: untyped,
    parked: env.storage.parked,
    monitor: env.monitor,
  });
  const unlink = linkSignal(options.signal, stopping);
  const member = new GroupMember(untyped, env, settings);
  const identity = {
    instance: settings.member,
    source: settings.source,
    partitions: settings.partitions,
    refused: () => member.nameRefused(),
    // A member waiting for its name (or refused it) owns nothing, so it takes no replay either.
    mayReplay: () => member.holdsName(),
    ready: member.firstHeartbeat,
  };
  const done = Promise.all([
    member.run(stopping.signal).catch(failure.thrown),
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
      member.caughtUp.stoppedBefore(
        failure.reason(() =>
          new ClosedError(`consumer group member "${settings.member}" of "${group}"`, "catch up")
        ),
      );
    });
  return {
    ...consumerApi(env, { group, caughtUp: member.caughtUp.promise, done, stopping }),
    member: settings.member,
    ownedPartitions: () => member.ownedPartitions(),
    ...statusApi(env, untyped, settings.member),
  };
}

/** Checks what a member needs besides the delivery options. */
function checkMemberSettings<Tx, Commit extends CommitMode, E extends MessageShape>(
  options: CreateGroupConsumerOptions<Tx, Commit, E>,
): MemberSettings & { readonly concurrency: number } {
  const source = checkSource(options.source);
  if ("stream" in source) {
    throw new ValidationError(
      "options.source",
      source,
      "a consumer group reads a category or all, not one stream",
    );
  }
  checkHandlers(options.handler, options.pageHandler);
  const partitions = checkPartitions(options.partitions);
  const batchSize = checkCount(
    options.batchSize,
    "options.batchSize",
    DEFAULT_BATCH_SIZE,
    MAX_READ_LIMIT,
  );
  const leaseTtl = checkCount(options.leaseTtl, "options.leaseTtl", 10_000, 86_400_000);
  const heartbeatInterval = checkCount(
    options.heartbeatInterval,
    "options.heartbeatInterval",
    Math.max(1, Math.floor(leaseTtl / 3)),
    leaseTtl,
  );
  const concurrency = checkCount(options.concurrency, "options.concurrency", 4, 10_000);
  const member = checkName(options.member, "options.member", crypto.randomUUID());
  const from = checkConsumerStart(options.from);
  // New at every start, so two running instances under one name are told apart.
  const instance = crypto.randomUUID();
  return {
    member,
    instance,
    source,
    partitions,
    batchSize,
    from,
    leaseTtl,
    heartbeatInterval,
    concurrency,
  };
}
