/**
 * The transaction a memory consumer storage hands to handlers: changes are
 * queued with `onCommit` and applied together with the checkpoint, or
 * dropped with it. A handler that changes its in-memory read model only
 * through `onCommit` gets the same exactly-once effect a PostgreSQL handler
 * gets from writing through its transaction.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";

let apply: (tx: MemoryTransaction) => void;
let discard: (tx: MemoryTransaction) => void;

/**
 * A queue of changes that run only if the commit succeeds.
 *
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "./memory_consumer_storage.ts";
 * const storage = createMemoryConsumerStorage();
 * let count = 0;
 * await storage.checkpoints.commit({ group: "g", partition: 0, position: 1n }, (tx) => tx.onCommit(() => count++));
 * console.log(count); // 1
 * ```
 */
export class MemoryTransaction {
  #changes: (() => void)[] | undefined = [];

  static {
    apply = (tx) => {
      const changes = tx.#changes!;
      tx.#changes = undefined;
      for (const change of changes) change();
    };
    discard = (tx) => {
      tx.#changes = undefined;
    };
  }

  /**
   * Queues `change` to run when the transaction commits, in queue order. It
   * must not throw: it runs after the commit was decided.
   *
   * @throws {ValidationError} when the transaction has already committed or rolled back
   */
  onCommit(change: () => void): void {
    if (this.#changes === undefined) {
      throw new ValidationError(
        "tx",
        "MemoryTransaction",
        "the transaction has already ended; use it only inside the handler",
      );
    }
    this.#changes.push(change);
  }
}

/**
 * Runs a transaction's queued changes, once; for the memory storage only.
 *
 * @example
 * ```ts
 * import { commitMemoryTransaction, MemoryTransaction } from "./memory_transaction.ts";
 * const tx = new MemoryTransaction();
 * tx.onCommit(() => console.log("applied"));
 * commitMemoryTransaction(tx); // applied
 * ```
 */
export function commitMemoryTransaction(tx: MemoryTransaction): void {
  apply(tx);
}

/**
 * Drops a transaction's queued changes; for the memory storage only.
 *
 * @example
 * ```ts
 * import { MemoryTransaction, rollBackMemoryTransaction } from "./memory_transaction.ts";
 * const tx = new MemoryTransaction();
 * tx.onCommit(() => console.log("never"));
 * rollBackMemoryTransaction(tx);
 * ```
 */
export function rollBackMemoryTransaction(tx: MemoryTransaction): void {
  discard(tx);
}
