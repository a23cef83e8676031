// The client's default checkpoint store: a map in this process. A restarted
// client starts its subscriptions from the beginning; pass `storage` to
// `createHttpTransport` to keep checkpoints somewhere that survives.

import type { CheckpointStore, CheckpointUpdate } from "../../core/mod.ts";

/** Checkpoints in memory; `commit` runs the work, then saves the position. */
export class MemoryCheckpoints implements CheckpointStore<undefined> {
  readonly #positions = new Map<string, bigint>();

  load(group: string, partition: number): Promise<bigint | undefined> {
    return Promise.resolve(this.#positions.get(`${partition}:${group}`));
  }

  async commit(
    update: CheckpointUpdate,
    work: (tx: undefined) => Promise<void> | void,
  ): Promise<boolean> {
    await work(undefined);
    if (update.position !== undefined) {
      this.#positions.set(`${update.partition}:${update.group}`, update.position);
    }
    return true;
  }

  reset(group: string): Promise<void> {
    for (const key of this.#positions.keys()) {
      if (key.slice(key.indexOf(":") + 1) === group) this.#positions.delete(key);
    }
    return Promise.resolve();
  }
}
