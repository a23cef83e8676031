/**
 * Group commit for one store's one-message appends. Appends that callers make
 * while the store already has `maxInFlight` groups running wait, and go out
 * together as the next group: one statement and one commit (one WAL flush)
 * for all of them, instead of one each. A lone append, with fewer groups in
 * flight, goes out at once, alone, so grouping adds no wait when the store is
 * not busy. See docs/decisions/postgres-grouped-appends.md.
 *
 * A group holds at most one append per stream and per message id, and an
 * append never goes out while an earlier one to its stream is still running:
 * each stream's appends run one after another, in the order they were made.
 *
 * @module
 */

/** How large groups get and how many run at once. */
export interface GroupLimits {
  /** Groups running at once; appends made while this many run wait for the next group. */
  readonly maxInFlight: number;
  /** Appends in one group. */
  readonly maxGroup: number;
  /** Bytes of message JSON in one group (a single larger append still goes, alone). */
  readonly maxGroupBytes: number;
}

/** What one append in a group came to: its result, or its error. */
export type Outcome<R> = { readonly ok: true; readonly value: R } | {
  readonly ok: false;
  readonly error: unknown;
};

/** One append to be grouped: its stream, its message's id, its JSON size and what `run` needs. */
export interface GroupEntry<T> {
  readonly stream: string;
  readonly id: string;
  readonly bytes: number;
  readonly item: T;
}

interface Waiting<T, R> extends GroupEntry<T> {
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Queues appends and runs them in groups through `run`, which gets the items
 * in the order they were made and answers with one outcome per item, in that
 * order.
 *
 * @example
 * ```ts
 * import { GroupedAppends } from "./grouped_appends.ts";
 * const sizes: number[] = [];
 * const groups = new GroupedAppends<string, string>(async (items) => {
 *   sizes.push(items.length);
 *   return items.map((item) => ({ ok: true, value: item.toUpperCase() }));
 * }, { maxInFlight: 1, maxGroup: 100, maxGroupBytes: 1 << 20 });
 * const append = (stream: string) => groups.submit({ stream, id: stream, bytes: 1, item: stream });
 * await Promise.all([append("a-1"), append("b-1"), append("c-1")]);
 * sizes; // [3]: made in one turn, they went out as one group
 * ```
 */
export class GroupedAppends<T, R> {
  readonly #run: (items: readonly T[]) => Promise<Outcome<R>[]>;
  readonly #limits: GroupLimits;
  #queue: Waiting<T, R>[] = [];
  #inFlight = 0;
  // Streams with an append in a running group: their next append waits for it.
  readonly #runningStreams = new Set<string>();
  #pumpScheduled = false;
  #idle: (() => void)[] = [];

  constructor(run: (items: readonly T[]) => Promise<Outcome<R>[]>, limits: GroupLimits) {
    this.#run = run;
    this.#limits = limits;
  }

  /** Queues one append; resolves or rejects with its own outcome. */
  submit(entry: GroupEntry<T>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ ...entry, resolve, reject });
      // Appends made in the same turn as this one may join its group.
      if (!this.#pumpScheduled) {
        this.#pumpScheduled = true;
        queueMicrotask(() => {
          this.#pumpScheduled = false;
          this.#pump();
        });
      }
    });
  }

  /** Resolves once every append queued so far has its outcome. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#inFlight < this.#limits.maxInFlight) {
      const group = this.#takeGroup();
      if (group.length === 0) break;
      this.#inFlight++;
      for (const entry of group) this.#runningStreams.add(entry.stream);
      void this.#runGroup(group);
    }
    if (this.#queue.length === 0 && this.#inFlight === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  // The oldest appends that may go together. An append passed over (its
  // stream is running or already in the group, its id already in the group)
  // holds back every later append to its stream, which keeps each stream's order.
  #takeGroup(): Waiting<T, R>[] {
    const group: Waiting<T, R>[] = [];
    const left: Waiting<T, R>[] = [];
    const streams = new Set<string>();
    const ids = new Set<string>();
    let bytes = 0;
    for (const [i, entry] of this.#queue.entries()) {
      if (
        group.length >= this.#limits.maxGroup ||
        (group.length > 0 && bytes + entry.bytes > this.#limits.maxGroupBytes)
      ) {
        left.push(...this.#queue.slice(i));
        break;
      }
      if (
        this.#runningStreams.has(entry.stream) || streams.has(entry.stream) || ids.has(entry.id)
      ) {
        streams.add(entry.stream);
        left.push(entry);
        continue;
      }
      streams.add(entry.stream);
      ids.add(entry.id);
      bytes += entry.bytes;
      group.push(entry);
    }
    this.#queue = left;
    return group;
  }

  async #runGroup(group: Waiting<T, R>[]): Promise<void> {
    try {
      const outcomes = await this.#run(group.map((entry) => entry.item));
      group.forEach((entry, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) entry.reject(new Error("a grouped append got no outcome"));
        else if (outcome.ok) entry.resolve(outcome.value);
        else entry.reject(outcome.error);
      });
    } catch (error) {
      for (const entry of group) entry.reject(error);
    } finally {
      this.#inFlight--;
      for (const entry of group) this.#runningStreams.delete(entry.stream);
      this.#pump();
    }
  }
}
