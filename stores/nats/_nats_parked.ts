/**
 * Parked messages in the consumer storage's key-value bucket, one key per
 * group and message id (`pk.<group>.<message id>`), so parking again replaces
 * the entry. Listing, counting and the operators' per-group summary scan the
 * keys under a prefix: a bucket keeps no aggregate.
 *
 * @module
 */

import {
  compareNames,
  type ListParkedOptions,
  type ParkedGroup,
  type ParkedMessage,
  type ParkedMessageStore,
  type ParkedSummary,
} from "../../core/mod.ts";
import { type KvBucket, translateError } from "./jetstream/mod.ts";
import { storageKey } from "./nats_leases.ts";
import type { NatsTransaction } from "./nats_transaction.ts";
import { parkedFromJson, parkedToJson } from "./_parked_json.ts";

/** Parked messages under `pk.<group>.<message id>` of the consumer storage bucket. */
export class NatsParked implements ParkedMessageStore<NatsTransaction> {
  readonly #bucket: KvBucket;

  constructor(bucket: KvBucket) {
    this.#bucket = bucket;
  }

  async park(entry: ParkedMessage, options: { readonly tx?: NatsTransaction } = {}): Promise<void> {
    const key = storageKey("pk", entry.group, entry.message.id.toLowerCase());
    const value = parkedToJson(entry);
    if (options.tx !== undefined) {
      options.tx.put(this.#bucket.name, key, value);
      return;
    }
    await this.#guard("park", () => this.#bucket.put(key, JSON.stringify(value)));
  }

  async list(group: string, options: ListParkedOptions = {}): Promise<ParkedMessage[]> {
    const limit = options.limit ?? 100;
    const after = options.after ?? -1n;
    const entries = await this.#guard("list", () => this.#bucket.list(storageKey("pk", group)));
    return entries
      .map((entry) => parkedFromJson(JSON.parse(entry.value)))
      .filter((e) => e.message.globalPosition > after)
      .sort((a, b) => (a.message.globalPosition < b.message.globalPosition ? -1 : 1))
      .slice(0, limit);
  }

  async get(group: string, messageId: string): Promise<ParkedMessage | undefined> {
    const entry = await this.#guard(
      "get",
      () => this.#bucket.get(storageKey("pk", group, messageId.toLowerCase())),
    );
    return entry === undefined ? undefined : parkedFromJson(JSON.parse(entry.value));
  }

  async remove(
    group: string,
    messageId: string,
    options: { readonly tx?: NatsTransaction } = {},
  ): Promise<boolean> {
    const key = storageKey("pk", group, messageId.toLowerCase());
    const present = (await this.#guard("remove", () => this.#bucket.get(key))) !== undefined;
    if (options.tx !== undefined) options.tx.delete(this.#bucket.name, key);
    else if (present) await this.#guard("remove", () => this.#bucket.delete(key));
    return present;
  }

  // One scan of the group's entries.
  async summary(group: string): Promise<ParkedSummary> {
    const entries = await this.#guard("summary", () => this.#bucket.list(storageKey("pk", group)));
    let oldest: string | undefined;
    for (const entry of entries) {
      const { parkedAt } = parkedFromJson(JSON.parse(entry.value));
      if (oldest === undefined || parkedAt < oldest) oldest = parkedAt;
    }
    return oldest === undefined ? { count: 0 } : { count: entries.length, oldestParkedAt: oldest };
  }

  // One scan of every parked entry: a bucket has no per-group aggregate.
  async groups(): Promise<ParkedGroup[]> {
    const entries = await this.#guard("groups", () => this.#bucket.list("pk"));
    const groups = new Map<string, { count: number; oldest: string; latest: ParkedMessage }>();
    for (const entry of entries) {
      const parked = parkedFromJson(JSON.parse(entry.value));
      const found = groups.get(parked.group);
      if (found === undefined) {
        groups.set(parked.group, { count: 1, oldest: parked.parkedAt, latest: parked });
        continue;
      }
      found.count++;
      if (parked.parkedAt < found.oldest) found.oldest = parked.parkedAt;
      if (parked.parkedAt >= found.latest.parkedAt) found.latest = parked;
    }
    return [...groups.values()]
      .map(({ count, oldest, latest }) => ({
        group: latest.group,
        count,
        oldestParkedAt: oldest,
        latest: {
          messageId: latest.message.id,
          error: latest.error,
          attempts: latest.attempts,
          parkedAt: latest.parkedAt,
        },
      }))
      .sort((a, b) => compareNames(a.group, b.group));
  }

  async #guard<T>(operation: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw translateError(error, `parked.${operation}`);
    }
  }
}
