/**
 * Consumer group membership and partition leases in a JetStream key-value
 * bucket. Every change is a compare-and-set on the entry's revision, so two
 * members never both take a partition; expiry is judged by the server's
 * clock (the time it stamped on the lease's last write, plus its ttl, against
 * `ServerClock`), never a member's. A new holder gets the next token and
 * fences the partition's checkpoint with it before it reads it (see
 * `nats_consumer_storage.ts`), so a member that lost its partition can no
 * longer commit there.
 *
 * Keys: `ls.<group>.<partition>` holds `{ o: owner or null, i: its instance,
 * t: token, x: ttl, e: expiresAt as acquire reported it }`;
 * `mb.<group>` holds every member, the instance holding its name and when
 * it expires (`{ x, i }`; a bare expiry in entries written before instances,
 * which count as another instance than any that asks until they expire).
 *
 * @module
 */

import {
  checkInstance,
  checkLeaseTtl,
  compareNames,
  type GroupLeases,
  type InstanceOption,
  type Lease,
  type LeaseOptions,
  type LeaseStore,
  memberNameInUse,
} from "../../core/mod.ts";
import { fromToken, type KvBucket, type KvEntry, toToken } from "./jetstream/mod.ts";
import type { ServerClock } from "./server_clock.ts";

/** A key of the consumer storage bucket, from its parts (each escaped into one token). */
export function storageKey(...parts: readonly (string | number)[]): string {
  return parts.map((part) => toToken(String(part), "=")).join(".");
}

/** The parts of a key made by {@link storageKey}, unescaped. */
export function keyParts(key: string): string[] {
  return key.split(".").map((token) => fromToken(token, "="));
}

interface LeaseValue {
  readonly o: string | null;
  /** The owner's instance holding it; absent in entries written before instances. */
  readonly i?: string;
  readonly t: string;
  readonly x: number;
  /**
   * When the holder was told it expires (the clock's estimate plus the ttl),
   * so listings report the lease acquire returned; expiry itself is judged by
   * the write's server stamp plus `x`. Absent in entries written before it.
   */
  readonly e?: number;
  readonly p: number;
}

const ATTEMPTS = 8;

/** A member's entry in `mb.<group>`: a bare expiry in entries written before instances. */
type Membership = number | { readonly x: number; readonly i: string };

const expiryOf = (held: Membership): number => typeof held === "number" ? held : held.x;
const instanceOf = (held: Membership): string | undefined =>
  typeof held === "number" ? undefined : held.i;

/** The fence a partition's checkpoint holds: the last holder that wrote it. */
export interface Fence {
  readonly owner: string;
  readonly token: bigint;
}

/** How the leases reach the checkpoints' fences. */
export interface Fencing {
  /** Writes a new holder's token into its partition's checkpoint entry. */
  fence(lease: Lease): Promise<void>;
  /** The fence a partition's checkpoint entry holds now. */
  fenceOf(group: string, partition: number): Promise<Fence | undefined>;
}

/** Leases over a bucket; a partition's new holder fences its checkpoint. */
export class NatsLeases implements LeaseStore {
  readonly #bucket: KvBucket;
  readonly #clock: ServerClock;
  readonly #fencing: Fencing;

  constructor(bucket: KvBucket, clock: ServerClock, fencing: Fencing) {
    this.#bucket = bucket;
    this.#clock = clock;
    this.#fencing = fencing;
  }

  async heartbeat(
    group: string,
    member: string,
    options: LeaseOptions & InstanceOption,
  ): Promise<string[]> {
    const ttl = checkLeaseTtl(options.ttl);
    const instance = checkInstance(options.instance, member);
    const members = await this.#changeMembers(group, (map, now) => {
      // Thrown before the compare-and-set: nothing is written.
      if (member in map && instanceOf(map[member]) !== instance) {
        throw memberNameInUse(group, member);
      }
      map[member] = { x: now + ttl, i: instance };
    });
    return Object.keys(members).sort();
  }

  async leave(group: string, member: string, options: InstanceOption = {}): Promise<void> {
    const instance = checkInstance(options.instance, member);
    await this.#changeMembers(group, (map) => {
      if (member in map && instanceOf(map[member]) === instance) delete map[member];
    });
    for (const entry of await this.#bucket.list(storageKey("ls", group))) {
      const value = parseLease(entry);
      if (value.o === member && value.i === instance) {
        await this.release(leaseOf(group, entry, value));
      }
    }
  }

  // Read, drop expired members, change and compare-and-set the group's member map.
  async #changeMembers(
    group: string,
    change: (map: Record<string, Membership>, now: number) => void,
  ): Promise<Record<string, Membership>> {
    const key = storageKey("mb", group);
    for (let attempt = 0;; attempt++) {
      const { entry, revision } = await this.#bucket.read(key);
      const map: Record<string, Membership> = entry === undefined ? {} : JSON.parse(entry.value);
      const now = await this.#clock.now();
      for (const [name, held] of Object.entries(map)) if (expiryOf(held) <= now) delete map[name];
      change(map, now);
      if ((await this.#bucket.update(key, JSON.stringify(map), revision)) !== undefined) return map;
      if (attempt === ATTEMPTS) throw new Error(`Cannot update the members of group "${group}"`);
    }
  }

  async acquire(
    group: string,
    partition: number,
    options: LeaseOptions & InstanceOption & { readonly owner: string },
  ): Promise<Lease | undefined> {
    const ttl = checkLeaseTtl(options.ttl);
    const instance = checkInstance(options.instance, options.owner);
    const key = storageKey("ls", group, partition);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { entry, revision } = await this.#bucket.read(key);
      const current = entry === undefined ? undefined : parseLease(entry);
      const now = await this.#clock.now();
      // The holder is the owner and its instance: another instance of the owner is another holder.
      let renewing = current !== undefined && current.o === options.owner &&
        current.i === instance;
      if (
        current !== undefined && current.o !== null && !renewing &&
        entry!.written + current.x > now
      ) return undefined;
      let token = current === undefined
        ? 1n
        : renewing
        ? BigInt(current.t)
        : BigInt(current.t) + 1n;
      // Never below a later holder's fence: a lease entry that went back (seen on a
      // 2.9.10 cluster after a leader was killed: a key read as absent, then
      // created again with token 1) would otherwise leave its holder fenced out for good.
      const fence = await this.#fencing.fenceOf(group, partition);
      // A fence at this very token is an earlier holder's unless this holder is renewing:
      // another instance of the same owner too.
      if (
        fence !== undefined &&
        (fence.token > token ||
          (fence.token === token && (fence.owner !== options.owner || !renewing)))
      ) {
        token = fence.token + 1n;
        renewing = false;
      }
      const value: LeaseValue = {
        o: options.owner,
        i: instance,
        t: String(token),
        x: ttl,
        p: partition,
        e: now + ttl,
      };
      if ((await this.#bucket.update(key, JSON.stringify(value), revision)) === undefined) continue;
      const lease: Lease = Object.freeze({
        group,
        partition,
        owner: options.owner,
        token,
        expiresAt: now + ttl,
      });
      if (!renewing) await this.#fencing.fence(lease);
      return lease;
    }
    return undefined;
  }

  async release(lease: Lease): Promise<void> {
    const key = storageKey("ls", lease.group, lease.partition);
    const { entry, revision } = await this.#bucket.read(key);
    const current = entry === undefined ? undefined : parseLease(entry);
    if (current?.o !== lease.owner || current.t !== String(lease.token)) return;
    const value: LeaseValue = { ...current, o: null };
    await this.#bucket.update(key, JSON.stringify(value), revision);
  }

  async list(group: string): Promise<Lease[]> {
    const entries = await this.#bucket.list(storageKey("ls", group));
    const leases: Lease[] = [];
    for (const entry of entries) {
      const value = parseLease(entry);
      if (value.o === null) continue;
      leases.push(leaseOf(group, entry, value));
    }
    return leases.sort((a, b) => a.partition - b.partition);
  }

  // Two scans of the bucket (members, leases), whatever the number of groups; writes nothing.
  async groups(): Promise<GroupLeases[]> {
    const now = await this.#clock.now();
    const groups = new Map<string, { members: string[]; leases: Lease[] }>();
    const of = (group: string) => {
      let found = groups.get(group);
      if (found === undefined) groups.set(group, found = { members: [], leases: [] });
      return found;
    };
    for (const entry of await this.#bucket.list("mb")) {
      const [, group] = keyParts(entry.key);
      const map = JSON.parse(entry.value) as Record<string, Membership>;
      const live = Object.keys(map).filter((member) => expiryOf(map[member]) > now);
      if (live.length > 0) of(group).members.push(...live.sort(compareNames));
    }
    for (const entry of await this.#bucket.list("ls")) {
      const [, group] = keyParts(entry.key);
      const value = parseLease(entry);
      if (value.o === null) continue;
      of(group).leases.push(leaseOf(group, entry, value));
    }
    return [...groups].sort(([a], [b]) => compareNames(a, b)).map(([group, found]) => ({
      group,
      members: found.members,
      leases: found.leases.sort((a, b) => a.partition - b.partition),
    }));
  }

  /** Whether `lease` is its partition's current, unexpired lease. */
  async holds(
    lease: { group: string; partition: number; owner: string; token: bigint },
  ): Promise<boolean> {
    const entry = await this.#bucket.get(storageKey("ls", lease.group, lease.partition));
    if (entry === undefined) return false;
    const value = parseLease(entry);
    return value.o === lease.owner && value.t === String(lease.token) &&
      entry.written + value.x > await this.#clock.now();
  }
}

function parseLease(entry: KvEntry): LeaseValue {
  return JSON.parse(entry.value) as LeaseValue;
}

function leaseOf(group: string, entry: KvEntry, value: LeaseValue): Lease {
  return Object.freeze({
    group,
    partition: value.p,
    owner: value.o!,
    token: BigInt(value.t),
    expiresAt: value.e ?? entry.written + value.x,
  });
}
