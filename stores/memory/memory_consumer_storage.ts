/**
 * Consumer storage kept in memory: checkpoints, parked messages,
 * processed-message records and leases, sharing one `MemoryTransaction` type.
 * For tests, examples and edge isolates; nothing survives the process.
 *
 * @module
 */

import type {
  CheckpointEntry,
  CheckpointStore,
  CheckpointUpdate,
  ConsumerControlStore,
  ConsumerStorage,
  ListParkedOptions,
  ParkedGroup,
  ParkedMessage,
  ParkedMessageStore,
  ParkedSummary,
  ProcessedMessageStore,
} from "../../core/consumers/mod.ts";
import { checkOptions, compareNames, ValidationError } from "../../core/mod.ts";
import { createMemoryControlStore } from "./memory_control.ts";
import {
  createMemoryLeaseStore,
  type CreateMemoryLeaseStoreOptions,
  type MemoryLeaseStore,
} from "./memory_leases.ts";
import {
  commitMemoryTransaction,
  MemoryTransaction,
  rollBackMemoryTransaction,
} from "./memory_transaction.ts";

/** Options of {@link createMemoryConsumerStorage}. */
export interface CreateMemoryConsumerStorageOptions extends CreateMemoryLeaseStoreOptions {
  /** Share a lease store between storages (members of one group that keep separate storages). Default: a new one. */
  readonly leases?: MemoryLeaseStore;
}

/** Consumer storage in memory; handlers get a {@link MemoryTransaction}. */
export type MemoryConsumerStorage = ConsumerStorage<MemoryTransaction> & {
  readonly leases: MemoryLeaseStore;
  readonly control: ConsumerControlStore;
};

/**
 * Creates empty consumer storage in memory.
 *
 * A commit is atomic because applying it is synchronous: the handler's queued
 * changes, parked entries and the checkpoint all land in one step after the
 * handler resolved, and only if the lease fence (when given) still holds.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "./memory_consumer_storage.ts";
 * const storage = createMemoryConsumerStorage();
 * await storage.checkpoints.commit({ group: "totals", partition: 0, position: 8n }, () => {});
 * console.log(await storage.checkpoints.load("totals", 0)); // 8n
 * ```
 */
export function createMemoryConsumerStorage(
  options: CreateMemoryConsumerStorageOptions = {},
): MemoryConsumerStorage {
  checkOptions(options, ["leases", "now"]);
  const leases = options.leases ?? createMemoryLeaseStore({ now: options.now });
  return Object.freeze({
    leases,
    checkpoints: new MemoryCheckpoints(leases),
    parked: new MemoryParked(),
    processed: new MemoryProcessed(),
    control: createMemoryControlStore({ now: options.now }),
  });
}

class MemoryCheckpoints implements CheckpointStore<MemoryTransaction> {
  readonly #leases: MemoryLeaseStore;
  // group -> partition -> position
  readonly #positions = new Map<string, Map<number, bigint>>();

  constructor(leases: MemoryLeaseStore) {
    this.#leases = leases;
  }

  async load(group: string, partition: number): Promise<bigint | undefined> {
    return this.#positions.get(group)?.get(partition);
  }

  async commit(
    update: CheckpointUpdate,
    work: (tx: MemoryTransaction) => Promise<void> | void,
  ): Promise<boolean> {
    const { group, partition, position, lease } = update;
    if (position !== undefined && (typeof position !== "bigint" || position < 0n)) {
      throw new ValidationError("update.position", position, "must be a bigint, 0n or more");
    }
    if (lease !== undefined && !this.#leases.holds(group, partition, lease)) return false;
    const tx = new MemoryTransaction();
    try {
      await work(tx);
    } catch (error) {
      rollBackMemoryTransaction(tx);
      throw error;
    }
    // The lease may have run out while the work ran: check again, then apply in one synchronous step.
    if (lease !== undefined && !this.#leases.holds(group, partition, lease)) {
      rollBackMemoryTransaction(tx);
      return false;
    }
    commitMemoryTransaction(tx);
    if (position !== undefined) {
      let positions = this.#positions.get(group);
      if (positions === undefined) this.#positions.set(group, positions = new Map());
      positions.set(partition, position);
    }
    return true;
  }

  async reset(group: string): Promise<void> {
    this.#positions.delete(group);
  }

  async list(): Promise<CheckpointEntry[]> {
    return [...this.#positions]
      .sort(([a], [b]) => compareNames(a, b))
      .flatMap(([group, positions]) =>
        [...positions].sort(([a], [b]) => a - b).map(([partition, position]) => ({
          group,
          partition,
          position,
        }))
      );
  }
}

class MemoryParked implements ParkedMessageStore<MemoryTransaction> {
  // group -> message id -> entry
  readonly #entries = new Map<string, Map<string, ParkedMessage>>();

  async park(
    entry: ParkedMessage,
    options: { readonly tx?: MemoryTransaction } = {},
  ): Promise<void> {
    const change = () => {
      let entries = this.#entries.get(entry.group);
      if (entries === undefined) this.#entries.set(entry.group, entries = new Map());
      entries.set(
        entry.message.id,
        Object.freeze({ ...entry, error: Object.freeze({ ...entry.error }) }),
      );
    };
    if (options.tx === undefined) change();
    else options.tx.onCommit(change);
  }

  async list(group: string, options: ListParkedOptions = {}): Promise<ParkedMessage[]> {
    const limit = options.limit ?? 100;
    const after = options.after ?? -1n;
    return [...(this.#entries.get(group)?.values() ?? [])]
      .filter((e) => e.message.globalPosition > after)
      .sort((a, b) => (a.message.globalPosition < b.message.globalPosition ? -1 : 1))
      .slice(0, limit);
  }

  async get(group: string, messageId: string): Promise<ParkedMessage | undefined> {
    return this.#entries.get(group)?.get(messageId);
  }

  async remove(
    group: string,
    messageId: string,
    options: { readonly tx?: MemoryTransaction } = {},
  ): Promise<boolean> {
    const present = this.#entries.get(group)?.has(messageId) ?? false;
    const change = () => this.#entries.get(group)?.delete(messageId);
    if (options.tx === undefined) change();
    else options.tx.onCommit(change);
    return present;
  }

  async summary(group: string): Promise<ParkedSummary> {
    let oldest: string | undefined;
    const entries = this.#entries.get(group);
    for (const entry of entries?.values() ?? []) {
      if (oldest === undefined || entry.parkedAt < oldest) oldest = entry.parkedAt;
    }
    const count = entries?.size ?? 0;
    return oldest === undefined ? { count } : { count, oldestParkedAt: oldest };
  }

  async groups(): Promise<ParkedGroup[]> {
    const summaries: ParkedGroup[] = [];
    for (const [group, entries] of this.#entries) {
      if (entries.size === 0) continue;
      const all = [...entries.values()];
      const latest = all.reduce((a, b) => (b.parkedAt > a.parkedAt ? b : a));
      const oldest = all.reduce((a, b) => (b.parkedAt < a.parkedAt ? b : a));
      summaries.push({
        group,
        count: entries.size,
        oldestParkedAt: oldest.parkedAt,
        latest: {
          messageId: latest.message.id,
          error: latest.error,
          attempts: latest.attempts,
          parkedAt: latest.parkedAt,
        },
      });
    }
    return summaries.sort((a, b) => compareNames(a.group, b.group));
  }
}

class MemoryProcessed implements ProcessedMessageStore<MemoryTransaction> {
  readonly #keys = new Map<string, Set<string>>();

  async has(scope: string, key: string): Promise<boolean> {
    return this.#keys.get(scope)?.has(key) ?? false;
  }

  async record(
    scope: string,
    key: string,
    options: { readonly tx?: MemoryTransaction } = {},
  ): Promise<void> {
    const change = () => {
      let keys = this.#keys.get(scope);
      if (keys === undefined) this.#keys.set(scope, keys = new Set());
      keys.add(key);
    };
    if (options.tx === undefined) change();
    else options.tx.onCommit(change);
  }
}
