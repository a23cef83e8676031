/**
 * The contract every consumer storage (with the store it runs beside) must
 * pass: example tests of the consumer's delivery rules, of its options and of
 * each storage port, and fast-check properties (at-least-once with crashes
 * between effect and commit, order per stream and global, checkpoint only
 * after success, retry then park then move on, replay after a fix, a start
 * at the end that delivers only what comes after it, groups
 * rebalancing, one running instance per member name; under commit "after-handler", at least once in order across
 * crashes, and parking that loses nothing whichever step a crash interrupts;
 * page handlers: a failing page narrowed down to the message at fault).
 *
 * @example
 * ```ts
 * import { testConsumerContract } from "./consumer.ts";
 * import { createMemoryStore } from "../../mod.ts";
 * import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
 * testConsumerContract({
 *   name: "memory",
 *   createStore: () => createMemoryStore(),
 *   createStorage: () => createMemoryConsumerStorage(),
 *   txProbe: () => { const seen: string[] = []; return { write: (tx, m) => tx.onCommit(() => seen.push(m)), read: async () => seen }; },
 * });
 * ```
 *
 * @module
 */

import { describe } from "node:test";
import type { ConsumerStorage } from "../../core/consumers/mod.ts";
import type { EventStore } from "../../mod.ts";
import { testAfterHandlerCommits } from "./_consumer_after_handler.ts";
import { testAfterHandlerProperties } from "./_consumer_after_handler_properties.ts";
import { testConsumerClosed } from "./_consumer_closed.ts";
import { testConsumerExamples } from "./_consumer_examples.ts";
import { testConsumerGroups } from "./_consumer_groups.ts";
import { testMemberNames } from "./_consumer_member_names.ts";
import { testConsumerOperations } from "./_consumer_operations.ts";
import { testConsumerOptions } from "./_consumer_options.ts";
import { testConsumerProperties } from "./_consumer_properties.ts";
import { testConsumerStart } from "./_consumer_start.ts";
import { testConsumerStoragePorts } from "./_consumer_storage.ts";
import { testPageHandlers } from "./_consumer_page_handlers.ts";

/**
 * Writes through a storage's transaction and reads back what committed: how
 * the suite sees exactly-once effects without knowing the storage. For
 * memory, `tx.onCommit(() => list.push(marker))`; for PostgreSQL, an insert
 * into a probe table through the transaction.
 */
export interface TxProbe<Tx> {
  write(tx: Tx, marker: string): Promise<void> | void;
  /** Every marker committed so far, in commit order. */
  read(): Promise<string[]>;
}

/** Options of {@link testConsumerContract}. */
export interface ConsumerContractOptions<Tx> {
  /** Shown in every test name. */
  readonly name: string;
  /** A new, empty store; called once per test and per property run. */
  readonly createStore: () => EventStore | Promise<EventStore>;
  /** New, empty consumer storage; called once per test and per property run. */
  readonly createStorage: () => ConsumerStorage<Tx> | Promise<ConsumerStorage<Tx>>;
  /** Releases a storage after its test (connections); default nothing. */
  readonly closeStorage?: (storage: ConsumerStorage<Tx>) => Promise<void>;
  /** A probe writing through the storage's transaction; one per test. */
  readonly txProbe: (storage: ConsumerStorage<Tx>) => TxProbe<Tx> | Promise<TxProbe<Tx>>;
  /** Runs per fast-check property; default 50 (group properties run a fifth of it). */
  readonly propertyRuns?: number;
  /**
   * The storage has what operators' tools read and ask (the optional
   * `checkpoints.list`, `parked.summary`, `leases.groups` and `control`); default false.
   */
  readonly operations?: boolean;
}

/** Registers the consumer contract suite with node:test. */
export function testConsumerContract<Tx>(options: ConsumerContractOptions<Tx>): void {
  describe(`Consumer contract: ${options.name}`, () => {
    testConsumerStoragePorts(options);
    testConsumerExamples(options);
    testConsumerOptions(options);
    testConsumerStart(options);
    testAfterHandlerCommits(options);
    testConsumerProperties(options);
    testPageHandlers(options);
    testAfterHandlerProperties(options);
    testConsumerGroups(options);
    testMemberNames(options);
    testConsumerClosed(options);
    testConsumerOperations(options);
  });
}
