/**
 * The control store in the consumer storage's key-value bucket: which
 * consumers run, what each group reads, and replays asked for by operators.
 *
 * Keys: `pr.<group>.<instance>` a running consumer's presence,
 * `gr.<group>` what the group last announced it reads, `rq.<group>.<id>` a
 * replay asked for. JetStream 2.9 has no per-key TTL (2.11 brought per-message
 * TTLs), so a presence expires as a lease does: at the server's stamp of its
 * last write plus its ttl, judged by `ServerClock`. Expired presences are
 * purged when seen, withdrawn ones at once, so restarts (each with a new
 * instance id) leave nothing behind.
 *
 * A request is taken by deleting its key with a compare-and-set on the
 * revision the taker listed: of two members taking the same request, one
 * write succeeds, so each request is taken once. The delete marker is then
 * purged (only up to itself: a request asked again since stays), so a group
 * with nothing asked has no keys and a member's look costs one message get.
 * Members walk the requests by revision with message gets rather than scan
 * them, since what others take is purged meanwhile.
 *
 * @module
 */

import {
  checkLeaseTtl,
  compareNames,
  type ConsumerControlStore,
  type ConsumerPresence,
  type ConsumerSource,
  type KnownGroup,
  type PresentConsumer,
  type ReplayRequest,
  validateId,
  ValidationError,
} from "../../core/mod.ts";
import type { KvBucket, KvEntry } from "./jetstream/mod.ts";
import { keyParts, storageKey } from "./nats_leases.ts";
import type { ServerClock } from "./server_clock.ts";

interface PresenceValue {
  /** What the group reads. */
  readonly s: ConsumerSource;
  /** Partitions. */
  readonly n: number;
  /** Ttl in ms, from the entry's server stamp. */
  readonly x: number;
  /** ISO 8601, when it first announced itself. */
  readonly st: string;
}

/** Running consumers and replay requests in one bucket. */
export class NatsControl implements ConsumerControlStore {
  readonly #bucket: KvBucket;
  readonly #clock: ServerClock;

  constructor(bucket: KvBucket, clock: ServerClock) {
    this.#bucket = bucket;
    this.#clock = clock;
  }

  // Two round trips: the presence is read (to keep when it started), then both keys written at once.
  async announce(presence: ConsumerPresence, options: { readonly ttl: number }): Promise<void> {
    const ttl = checkLeaseTtl(options.ttl);
    const { group, instance, source, partitions } = presence;
    const key = storageKey("pr", group, instance);
    const now = await this.#clock.now();
    const known = await this.#bucket.get(key);
    const previous = known === undefined ? undefined : JSON.parse(known.value) as PresenceValue;
    const startedAt = previous !== undefined && known!.written + previous.x > now
      ? previous.st
      : new Date(now).toISOString();
    const value: PresenceValue = { s: source, n: partitions, x: ttl, st: startedAt };
    const seen = { s: source, n: partitions, at: new Date(now).toISOString() };
    await Promise.all([
      this.#bucket.put(key, JSON.stringify(value)),
      this.#bucket.put(storageKey("gr", group), JSON.stringify(seen)),
    ]);
  }

  async withdraw(group: string, instance: string): Promise<void> {
    await this.#bucket.purge(storageKey("pr", group, instance));
  }

  async running(): Promise<PresentConsumer[]> {
    const now = await this.#clock.now();
    const running: PresentConsumer[] = [];
    for (const entry of await this.#bucket.list("pr")) {
      const [, group, instance] = keyParts(entry.key);
      const value = JSON.parse(entry.value) as PresenceValue;
      const expiresAt = entry.written + value.x;
      if (expiresAt <= now) {
        // Only this write of it: a consumer announcing itself again meanwhile stays.
        await this.#bucket.purge(entry.key, entry.revision + 1);
        continue;
      }
      const { s: source, n: partitions, st: startedAt } = value;
      running.push({ group, instance, source, partitions, startedAt, expiresAt });
    }
    return running.sort((a, b) =>
      compareNames(a.group, b.group) || compareNames(a.instance, b.instance)
    );
  }

  async groups(): Promise<KnownGroup[]> {
    const groups: KnownGroup[] = [];
    for (const entry of await this.#bucket.list("gr")) {
      const [, group] = keyParts(entry.key);
      const seen = JSON.parse(entry.value) as { s: ConsumerSource; n: number; at: string };
      groups.push({ group, source: seen.s, partitions: seen.n, seenAt: seen.at });
    }
    return groups.sort((a, b) => compareNames(a.group, b.group));
  }

  // Asked twice is asked once: an existing request is left as it is (and its place in line).
  async requestReplay(group: string, messageId: string): Promise<void> {
    const id = validateId(messageId, "messageId");
    const key = storageKey("rq", group, id);
    const { entry, revision } = await this.#bucket.read(key);
    // A failed compare-and-set means another asker wrote it first: asked either way.
    if (entry === undefined) await this.#bucket.update(key, "{}", revision);
  }

  // Walks the group's requests by revision with message gets, not a scan: other
  // members purge what they take meanwhile, and a scan would wait for those.
  async takeReplays(group: string, options: { readonly limit: number }): Promise<string[]> {
    const { limit } = options;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new ValidationError("options.limit", limit, "a limit is a whole number from 1");
    }
    const taken: string[] = [];
    const prefix = storageKey("rq", group);
    for (let from = 1; taken.length < limit;) {
      const found = await this.#bucket.next(prefix, from);
      if (found === undefined) break;
      from = found.revision + 1;
      if (found.value === undefined) continue;
      const marker = await this.#bucket.deleteIf(found.key, found.revision);
      if (marker === undefined) continue;
      taken.push(keyParts(found.key)[2]);
      await this.#bucket.purge(found.key, marker + 1);
    }
    return taken;
  }

  async pendingReplays(group?: string): Promise<ReplayRequest[]> {
    return (await this.#requests(group)).map((entry) => {
      const [, name, messageId] = keyParts(entry.key);
      return { group: name, messageId, requestedAt: new Date(entry.written).toISOString() };
    });
  }

  // Requests in the order asked (revision order), of one group or all.
  async #requests(group: string | undefined): Promise<KvEntry[]> {
    const entries = await this.#bucket.list(
      group === undefined ? "rq" : storageKey("rq", group),
    );
    return entries.sort((a, b) => a.revision - b.revision);
  }
}
