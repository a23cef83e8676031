// The heart of a consumer group member: heartbeats, the partitions it should
// own, their leases, and one read loop per partition it holds.

import type { EventStore } from "../event_store.ts";
import { type DeliveryEnv, reportAtStop, retryable, worked } from "./_delivery_env.ts";
import { firstCatchUp } from "./_first_catch_up.ts";
import type { ConsumerHooks } from "./handler.ts";
import { type RunnerEnd, runPartition } from "./_runner.ts";
import { sleep } from "../_sleep.ts";
import { endsBeforeAbort } from "./_stop_wait.ts";
import type { ConsumerSource } from "./source.ts";
import type { Lease } from "./storage.ts";
import type { ConsumerStart } from "./_options.ts";
import { isMemberNameInUse } from "./member_instance.ts";
import { NameClaim } from "./_name_claim.ts";
import { probeInstances } from "./_instance_probe.ts";

/** A member's checked settings. */
export interface MemberSettings {
  readonly member: string;
  /** This running instance of the member, new at each start: leases and membership are held by it. */
  readonly instance: string;
  readonly source: ConsumerSource;
  readonly partitions: number;
  readonly batchSize: number;
  /** Where each partition without a checkpoint starts. */
  readonly from: ConsumerStart;
  readonly leaseTtl: number;
  readonly heartbeatInterval: number;
}

/** A partition this member is running. */
interface Running {
  readonly controller: AbortController;
  readonly lease: Lease;
  /** Local time (performance.now) until which the lease is surely held. */
  heldUntil: number;
  caughtUp: boolean;
  stopping: boolean;
  /** The lease was found lost (another member holds the partition): nothing to release. */
  lost: boolean;
}

/** One member of a group: {@link GroupMember.run} until its signal aborts. */
export class GroupMember<Tx> {
  /** Resolves the first time every partition this member should own is running and caught up. */
  readonly caughtUp = firstCatchUp();
  /** Resolves once the first heartbeat has its answer (or the member stopped first). */
  readonly firstHeartbeat: Promise<void>;
  readonly #heartbeatAnswered: () => void;
  readonly #store: EventStore;
  readonly #env: DeliveryEnv<Tx>;
  readonly #settings: MemberSettings;
  readonly #running = new Map<number, Running>();
  /** The partition loops still ending (releasing their leases). */
  readonly #ending = new Set<Promise<void>>();
  /** Leases taken by a heartbeat that ended after the stop came: released, never run. */
  readonly #strays: Lease[] = [];
  /** Partitions whose lease the stop left to expire: the storage did not answer in time. */
  readonly #unreleased: number[] = [];
  #stopped: AbortSignal | undefined;
  readonly #claim: NameClaim;
  /** The lease store was seen to keep this name's instances apart (asked once per start). */
  #probed = false;
  #desired = new Set<number>();

  constructor(store: EventStore, env: DeliveryEnv<Tx>, settings: MemberSettings) {
    let answered!: () => void;
    this.firstHeartbeat = new Promise((resolve) => (answered = resolve));
    this.#heartbeatAnswered = answered;
    this.#store = store;
    this.#settings = settings;
    this.#claim = new NameClaim({ group: env.group, ...settings }, env.logger, { ...env.site });
    const hooks: ConsumerHooks = {
      ...env.hooks,
      onCaughtUp: (position, partition) => {
        const run = this.#running.get(partition);
        if (run !== undefined) run.caughtUp = true;
        this.#checkCaughtUp();
        env.hooks.onCaughtUp?.(position, partition);
      },
    };
    this.#env = { ...env, hooks };
  }

  /** Whether another instance holds this member's name (it waits, or stood down): it owns nothing. */
  nameRefused(): boolean {
    return this.#claim.refusedNow;
  }

  /**
   * Whether this instance holds its name's membership now (the store's last
   * answer accepted it): only then does it act for the group, operators'
   * replay requests included.
   */
  holdsName(): boolean {
    return this.#claim.holds;
  }

  /** Partitions this member is handling now, ascending. */
  ownedPartitions(): number[] {
    return [...this.#running.keys()].sort((a, b) => a - b);
  }

  /** Heartbeats and rebalances until `signal` aborts, then stops every partition and leaves the group. */
  async run(signal: AbortSignal): Promise<void> {
    const { group, storage, stopWait } = this.#env;
    this.#stopped = signal;
    while (!signal.aborted) {
      const beat = this.#heartbeat(signal);
      // A heartbeat in flight as the stop comes gets the stop's one short wait, not its timeout.
      if (!(await endsBeforeAbort(beat, signal))) await stopWait.bound(beat);
      this.#heartbeatAnswered();
      await sleep(this.#settings.heartbeatInterval, signal);
    }
    this.#heartbeatAnswered();
    for (const run of this.#running.values()) run.controller.abort();
    while (this.#ending.size > 0) await Promise.all(this.#ending);
    for (const lease of this.#strays.splice(0)) {
      await this.#release(lease.partition, lease, "stopped");
    }
    const { member, instance } = this.#settings;
    // Scoped to this instance: one refused for its name leaves the holder's membership alone.
    const left = await stopWait.bound(() => storage.leases.leave(group, member, { instance }))
      .catch((error) => {
        reportAtStop(this.#env, error, -1, LEAVE_FAILED);
        return undefined;
      });
    if (this.#unreleased.length > 0) {
      this.#log("warn", "Leases not released; they expire after leaseTtl", -1, {
        partitions: this.#unreleased.sort((a, b) => a - b),
        leaseTtl: this.#settings.leaseTtl,
        waitedMs: stopWait.waitedMs,
        reason: "the storage did not answer in time; their partitions move to other members then",
      });
    }
    if (left !== undefined && "late" in left) {
      this.#log("warn", LEAVE_FAILED, -1, {
        waitedMs: stopWait.waitedMs,
        reason: "the storage did not answer in time",
      });
    }
  }

  /** One heartbeat and rebalance; its failure is reported (unless the member is stopping: then the stop says what was left). */
  async #heartbeat(signal: AbortSignal): Promise<void> {
    try {
      await this.#rebalance(signal);
      worked(this.#env, "storage");
    } catch (error) {
      if (signal.aborted) return;
      // An error retrying cannot fix (an unmigrated schema) fails the member, which ends this loop.
      retryable(this.#env, error, { phase: "storage", partition: -1 });
    }
  }

  /** One heartbeat: find the partitions to own, keep or give up those running, take the rest. */
  async #rebalance(signal: AbortSignal): Promise<void> {
    const wanted = await this.#wantedPartitions();
    // Refused: another instance holds the name; own nothing while waiting.
    if (wanted === undefined) return;
    this.#desired = wanted;
    this.#env.monitor.expect([...this.#desired].sort((a, b) => a - b));
    await this.#renewOrStop();
    await this.#acquireWanted(signal);
    this.#checkCaughtUp();
  }

  /**
   * Partition `p` belongs to the live member at index `p % n` of the sorted
   * member list; `undefined` while another instance holds this member's name.
   */
  async #wantedPartitions(): Promise<Set<number> | undefined> {
    const { member, instance, leaseTtl, partitions } = this.#settings;
    const sentAt = performance.now();
    let members: string[];
    try {
      members = await this.#env.storage.leases.heartbeat(this.#env.group, member, {
        ttl: leaseTtl,
        instance,
      });
    } catch (error) {
      if (!isMemberNameInUse(error)) throw error;
      this.#claim.refused(sentAt, error);
      return undefined;
    }
    if (!this.#probed) {
      // Before it owns anything: a store that ignores instances stops the member here.
      const outcome = await probeInstances(this.#env.storage.leases, {
        group: this.#env.group,
        member,
        leaseTtl,
      }, sentAt);
      if (outcome === "inconclusive") return undefined;
      this.#probed = true;
    }
    this.#claim.accepted();
    // A store whose clock ran past our ttl already may leave us out; we are alive, so count us.
    if (!members.includes(member)) {
      members.push(member);
      members.sort();
    }
    const index = members.indexOf(member);
    return new Set(
      Array.from({ length: partitions }, (_, p) => p).filter((p) => p % members.length === index),
    );
  }

  /** Renews the leases of partitions still wanted; stops the others (after their handler in progress). */
  async #renewOrStop(): Promise<void> {
    const { member, instance, leaseTtl } = this.#settings;
    for (const [partition, run] of this.#running) {
      if (run.stopping) continue;
      if (!this.#desired.has(partition)) {
        this.#stopPartition(run);
        continue;
      }
      const requestedAt = performance.now();
      const renewed = await this.#env.storage.leases.acquire(this.#env.group, partition, {
        owner: member,
        instance,
        ttl: leaseTtl,
      });
      if (renewed !== undefined && renewed.token === run.lease.token) {
        run.heldUntil = requestedAt + leaseTtl;
      } else {
        this.#log("warn", "Lease lost", partition, {});
        run.lost = true;
        this.#stopPartition(run);
      }
    }
  }

  async #acquireWanted(signal: AbortSignal): Promise<void> {
    const { member, instance, leaseTtl } = this.#settings;
    for (const partition of this.#desired) {
      if (this.#running.has(partition) || signal.aborted) continue;
      const requestedAt = performance.now();
      const lease = await this.#env.storage.leases.acquire(this.#env.group, partition, {
        owner: member,
        instance,
        ttl: leaseTtl,
      });
      if (lease !== undefined && signal.aborted) {
        this.#strays.push(lease);
      } else if (lease !== undefined) {
        this.#log("info", "Partition acquired", partition, { token: lease.token });
        this.#start(partition, lease, requestedAt);
      }
    }
  }

  #stopPartition(run: Running): void {
    run.stopping = true;
    run.controller.abort();
  }

  /** Runs a partition's loop under `lease`; when it ends, hands the partition back. */
  #start(partition: number, lease: Lease, requestedAt: number): void {
    const { source, partitions, batchSize, from, leaseTtl } = this.#settings;
    const run: Running = {
      controller: new AbortController(),
      lease,
      heldUntil: requestedAt + leaseTtl,
      caughtUp: false,
      stopping: false,
      lost: false,
    };
    this.#running.set(partition, run);
    const ended = runPartition({
      env: this.#env,
      store: this.#store,
      source,
      partition,
      partitions,
      batchSize,
      from,
      lease,
      holdsLease: () => performance.now() < run.heldUntil,
      signal: run.controller.signal,
    }).then((end) => this.#release(partition, lease, run.lost ? "lost" : end));
    const tracked = ended.finally(() => this.#ending.delete(tracked));
    this.#ending.add(tracked);
  }

  async #release(partition: number, lease: Lease, end: RunnerEnd | "lost"): Promise<void> {
    if (this.#running.get(partition)?.lease === lease) this.#running.delete(partition);
    // A member whose lease was lost holds nothing to release; the others hand the partition back now.
    if (end === "lost") return;
    if (end === "fenced") {
      this.#log("warn", "Lease lost", partition, { token: lease.token });
      return;
    }
    const release = () => this.#env.storage.leases.release(lease);
    // Stopping, the release gets the stop's one short wait; handing a partition over, its own.
    const released = this.#stopped?.aborted
      ? this.#env.stopWait.bound(release)
      : release().then((value) => ({ value }));
    await released.then(
      (outcome) => {
        if ("late" in outcome) this.#unreleased.push(partition);
        else this.#log("info", "Partition released", partition, {});
      },
      (error) =>
        reportAtStop(
          this.#env,
          error,
          partition,
          "Partition release failed; another member takes it when its lease expires",
        ),
    );
  }

  /** One line about a partition's lease (-1: the member's), with the group and this member's name. */
  #log(
    level: "info" | "warn",
    message: string,
    partition: number,
    fields: Record<string, unknown>,
  ): void {
    this.#env.logger[level](message, {
      ...this.#env.site,
      ...(partition >= 0 ? { partition } : {}),
      ...fields,
    });
  }

  #checkCaughtUp(): void {
    for (const p of this.#desired) if (this.#running.get(p)?.caughtUp !== true) return;
    this.caughtUp.reached();
  }
}

const LEAVE_FAILED =
  "Member could not leave its group; it counts as a member until its heartbeat expires";
