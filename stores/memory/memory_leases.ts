/**
 * Group membership and partition leases kept in memory: for consumer groups
 * whose members share one process (tests, examples, one isolate).
 *
 * @module
 */

import type {
  GroupLeases,
  InstanceOption,
  Lease,
  LeaseFence,
  LeaseOptions,
  LeaseStore,
} from "../../core/consumers/mod.ts";
import {
  checkInstance,
  checkLeaseTtl,
  checkOptionalFunction,
  checkOptions,
  compareNames,
  memberNameInUse,
} from "../../core/mod.ts";

/** Options of {@link createMemoryLeaseStore}. */
export interface CreateMemoryLeaseStoreOptions {
  /** The clock leases expire by, in ms since the epoch. Default `Date.now`; tests pass their own. */
  readonly now?: () => number;
}

/** A {@link LeaseStore} that can also tell whether a lease still holds, for fencing commits in memory. */
export interface MemoryLeaseStore extends LeaseStore {
  /** Whether `fence` is the current, unexpired lease of the partition. */
  holds(group: string, partition: number, fence: LeaseFence): boolean;
}

/**
 * Creates an empty in-memory lease store.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { createMemoryLeaseStore } from "./memory_leases.ts";
 * const leases = createMemoryLeaseStore();
 * const lease = await leases.acquire("shipping", 0, { owner: "a", ttl: 1000 });
 * console.log(await leases.acquire("shipping", 0, { owner: "b", ttl: 1000 })); // undefined
 * await leases.release(lease!);
 * ```
 */
export function createMemoryLeaseStore(
  options: CreateMemoryLeaseStoreOptions = {},
): MemoryLeaseStore {
  checkOptions(options, ["now"]);
  checkOptionalFunction(options.now, "options.now");
  return new MemoryLeases(options.now ?? Date.now);
}

class MemoryLeases implements MemoryLeaseStore {
  readonly #now: () => number;
  // group -> member -> the instance holding the name, and until when
  readonly #members = new Map<string, Map<string, { instance: string; expiresAt: number }>>();
  // "group\0partition" -> current lease
  readonly #leases = new Map<string, Lease>();
  // "group\0partition" -> the instance of the current lease's owner holding it
  readonly #holders = new Map<string, string>();
  // "group\0partition" -> highest token ever given, so tokens keep growing after a release
  readonly #tokens = new Map<string, bigint>();

  constructor(now: () => number) {
    this.#now = now;
  }

  async heartbeat(
    group: string,
    member: string,
    options: LeaseOptions & InstanceOption,
  ): Promise<string[]> {
    checkLeaseTtl(options.ttl);
    const instance = checkInstance(options.instance, member);
    let members = this.#members.get(group);
    if (members === undefined) this.#members.set(group, members = new Map());
    const now = this.#now();
    for (const [name, { expiresAt }] of members) if (expiresAt <= now) members.delete(name);
    const held = members.get(member);
    if (held !== undefined && held.instance !== instance) throw memberNameInUse(group, member);
    members.set(member, { instance, expiresAt: now + options.ttl });
    return [...members.keys()].sort();
  }

  async leave(group: string, member: string, options: InstanceOption = {}): Promise<void> {
    const instance = checkInstance(options.instance, member);
    const members = this.#members.get(group);
    if (members?.get(member)?.instance === instance) members.delete(member);
    for (const [key, lease] of this.#leases) {
      if (lease.group === group && lease.owner === member && this.#holders.get(key) === instance) {
        this.#leases.delete(key);
      }
    }
  }

  async acquire(
    group: string,
    partition: number,
    options: LeaseOptions & InstanceOption & { readonly owner: string },
  ): Promise<Lease | undefined> {
    checkLeaseTtl(options.ttl);
    const instance = checkInstance(options.instance, options.owner);
    const key = `${group}\0${partition}`;
    const now = this.#now();
    const current = this.#leases.get(key);
    // The holder is the owner and its instance: another instance under the same name is another holder.
    const ours = current !== undefined && current.owner === options.owner &&
      this.#holders.get(key) === instance;
    if (current !== undefined && !ours && current.expiresAt > now) return undefined;
    // The same holder renews under its token: nobody else held the partition in between,
    // or the lease would have been replaced.
    const token = ours ? current.token : (this.#tokens.get(key) ?? 0n) + 1n;
    this.#tokens.set(key, token);
    this.#holders.set(key, instance);
    const lease: Lease = Object.freeze({
      group,
      partition,
      owner: options.owner,
      token,
      expiresAt: now + options.ttl,
    });
    this.#leases.set(key, lease);
    return lease;
  }

  async release(lease: Lease): Promise<void> {
    const key = `${lease.group}\0${lease.partition}`;
    if (this.#leases.get(key)?.token === lease.token) this.#leases.delete(key);
  }

  async list(group: string): Promise<Lease[]> {
    return [...this.#leases.values()].filter((l) => l.group === group).sort((a, b) =>
      a.partition - b.partition
    );
  }

  async groups(): Promise<GroupLeases[]> {
    const now = this.#now();
    const names = new Set([
      ...this.#members.keys(),
      ...[...this.#leases.values()].map((l) => l.group),
    ]);
    const groups: GroupLeases[] = [];
    for (const group of [...names].sort(compareNames)) {
      const members = [...(this.#members.get(group) ?? [])]
        .filter(([, held]) => held.expiresAt > now)
        .map(([member]) => member)
        .sort();
      const leases = await this.list(group);
      if (members.length > 0 || leases.length > 0) groups.push({ group, members, leases });
    }
    return groups;
  }

  holds(group: string, partition: number, fence: LeaseFence): boolean {
    const current = this.#leases.get(`${group}\0${partition}`);
    return current !== undefined && current.token === fence.token &&
      current.owner === fence.owner &&
      current.expiresAt > this.#now();
  }
}
