/**
 * The transaction a NATS consumer storage hands to handlers. NATS has no
 * transaction over several keys, so a handler's writes are collected here and
 * committed with the checkpoint as one JetStream message: the checkpoint's
 * entry holds the new position and the writes, and is written with a
 * compare-and-set. That write is the commit; the writes are then applied to
 * their buckets, and applied again by whoever loads the checkpoint next if
 * the process stopped in between (see docs/decisions/nats.md, "Consumer
 * storage").
 *
 * @module
 */

import { type JsonValue, ValidationError } from "../../core/mod.ts";
import { validateBucket } from "./jetstream/mod.ts";

/** One write to a key-value bucket: `value` undefined deletes the key. */
export interface KvWrite {
  readonly bucket: string;
  readonly key: string;
  /** The value's JSON text; absent for a delete. */
  readonly value?: string;
}

let take: (tx: NatsTransaction) => { writes: KvWrite[]; callbacks: (() => void)[] };

/**
 * Writes that take effect only if the commit does.
 *
 * @example
 * ```ts ignore
 * await storage.checkpoints.commit({ group: "totals", partition: 0, position: 8n }, (tx) => {
 *   tx.put("totals", "order.1", { total: 3 });
 * });
 * ```
 */
export class NatsTransaction {
  #writes: KvWrite[] | undefined = [];
  #callbacks: (() => void)[] = [];

  static {
    take = (tx) => {
      const writes = tx.#open();
      tx.#writes = undefined;
      return { writes, callbacks: tx.#callbacks };
    };
  }

  #open(): KvWrite[] {
    if (this.#writes === undefined) {
      throw new ValidationError(
        "tx",
        "NatsTransaction",
        "the transaction has already ended; use it only inside the handler",
      );
    }
    return this.#writes;
  }

  /**
   * Sets `key` of `bucket` to `value` (stored as JSON text) when the commit
   * succeeds. The bucket must exist (see the storage's `setup`).
   *
   * @throws {ValidationError} on a bad bucket name or value, or after the transaction ended
   */
  put(bucket: string, key: string, value: JsonValue): void {
    this.#open().push({ bucket: validateBucket(bucket), key, value: JSON.stringify(value) });
  }

  /** Deletes `key` of `bucket` when the commit succeeds. */
  delete(bucket: string, key: string): void {
    this.#open().push({ bucket: validateBucket(bucket), key });
  }

  /** Runs `change` once the commit succeeded and its writes were applied. It must not throw. */
  onCommit(change: () => void): void {
    this.#open();
    this.#callbacks.push(change);
  }

  /** Whether this transaction writes `key` of `bucket` (the last write wins). */
  writes(bucket: string, key: string): boolean {
    const writes = this.#open();
    for (let i = writes.length - 1; i >= 0; i--) {
      if (writes[i].bucket === bucket && writes[i].key === key) {
        return writes[i].value !== undefined;
      }
    }
    return false;
  }
}

/** Ends a transaction and returns what it collected (for the storage). */
export function endTransaction(
  tx: NatsTransaction,
): { writes: KvWrite[]; callbacks: (() => void)[] } {
  return take(tx);
}
