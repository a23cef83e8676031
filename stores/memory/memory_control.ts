/**
 * The control store kept in memory: running consumers and replay requests,
 * for a console served from the same process as its consumers (tests, the
 * demo, one isolate).
 *
 * @module
 */

import {
  checkLeaseTtl,
  checkOptionalFunction,
  checkOptions,
  compareNames,
  type ConsumerControlStore,
  type ConsumerPresence,
  type KnownGroup,
  type PresentConsumer,
  type ReplayRequest,
  validateId,
  ValidationError,
} from "../../core/mod.ts";

/** Options of {@link createMemoryControlStore}. */
export interface CreateMemoryControlStoreOptions {
  /** The clock presences expire by, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Creates an empty control store in memory.
 *
 * @example
 * ```ts
 * import { createMemoryControlStore } from "./memory_control.ts";
 * const control = createMemoryControlStore();
 * await control.requestReplay("totals", "0b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3");
 * console.log(await control.takeReplays("totals", { limit: 10 })); // [ "0b9c1d2e-…" ]
 * ```
 */
export function createMemoryControlStore(
  options: CreateMemoryControlStoreOptions = {},
): ConsumerControlStore {
  checkOptions(options, ["now"]);
  checkOptionalFunction(options.now, "options.now");
  return new MemoryControl(options.now ?? Date.now);
}

class MemoryControl implements ConsumerControlStore {
  readonly #now: () => number;
  // "group\0instance" -> presence
  readonly #present = new Map<string, PresentConsumer>();
  readonly #groups = new Map<string, KnownGroup>();
  // group -> message id -> when asked; Map order is the order asked in
  readonly #requests = new Map<string, Map<string, string>>();

  constructor(now: () => number) {
    this.#now = now;
  }

  async announce(presence: ConsumerPresence, options: { readonly ttl: number }): Promise<void> {
    const ttl = checkLeaseTtl(options.ttl);
    const now = this.#now();
    const key = `${presence.group}\0${presence.instance}`;
    const startedAt = this.#present.get(key)?.startedAt ?? new Date(now).toISOString();
    const { group, instance, source, partitions } = presence;
    this.#present.set(key, {
      group,
      instance,
      source,
      partitions,
      startedAt,
      expiresAt: now + ttl,
    });
    this.#groups.set(group, { group, source, partitions, seenAt: new Date(now).toISOString() });
  }

  async withdraw(group: string, instance: string): Promise<void> {
    this.#present.delete(`${group}\0${instance}`);
  }

  async running(): Promise<PresentConsumer[]> {
    const now = this.#now();
    for (const [key, presence] of this.#present) {
      if (presence.expiresAt <= now) this.#present.delete(key);
    }
    return [...this.#present.values()].sort((a, b) =>
      compareNames(a.group, b.group) || compareNames(a.instance, b.instance)
    );
  }

  async groups(): Promise<KnownGroup[]> {
    return [...this.#groups.values()].sort((a, b) => compareNames(a.group, b.group));
  }

  async requestReplay(group: string, messageId: string): Promise<void> {
    let requests = this.#requests.get(group);
    if (requests === undefined) this.#requests.set(group, requests = new Map());
    const id = validateId(messageId, "messageId");
    if (!requests.has(id)) requests.set(id, new Date(this.#now()).toISOString());
  }

  async takeReplays(group: string, options: { readonly limit: number }): Promise<string[]> {
    const { limit } = options;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new ValidationError("options.limit", limit, "a limit is a whole number from 1");
    }
    const requests = this.#requests.get(group);
    if (requests === undefined) return [];
    const taken = [...requests.keys()].slice(0, limit);
    for (const id of taken) requests.delete(id);
    return taken;
  }

  async pendingReplays(group?: string): Promise<ReplayRequest[]> {
    const pending: ReplayRequest[] = [];
    for (const [name, requests] of this.#requests) {
      if (group !== undefined && name !== group) continue;
      for (const [messageId, requestedAt] of requests) {
        pending.push({ group: name, messageId, requestedAt });
      }
    }
    return pending.sort((a, b) =>
      a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0
    );
  }
}
