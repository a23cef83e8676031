/**
 * The one contract every `EventStore` adapter must pass: example tests for
 * each guarantee of the port, bad input that must be refused without a trace,
 * and fast-check properties (model-based runs, interleaved concurrent
 * appends, readers tailing writers). An adapter is done when this is green.
 *
 * @example
 * ```ts
 * import { testStoreContract } from "./store.ts";
 * import { createMemoryStore } from "../../mod.ts";
 * testStoreContract({ name: "memory", create: () => createMemoryStore() });
 * ```
 *
 * @module
 */

import { describe } from "node:test";
import type { EventStore } from "../../mod.ts";
import { testStoreBadInput } from "./_store_bad_input.ts";
import { testStoreBrowse } from "./_store_browse.ts";
import { testStoreClosed } from "./_store_closed.ts";
import { testStoreCommandHandler } from "./_store_command_handler.ts";
import { testStoreDeferred } from "./_store_deferred.ts";
import { testStoreExamples } from "./_store_examples.ts";
import { testStoreLimits } from "./_store_limits.ts";
import { testStoreProperties } from "./_store_properties.ts";
import { testStoreReads } from "./_store_reads.ts";

/** What differs between stores that the suite must know about. */
export interface StoreCapabilities {
  /** Global positions may skip numbers (a sequence in PostgreSQL); default false. */
  readonly gapsInGlobalPositions?: boolean;
  /**
   * The largest append the store takes, in bytes of its messages as JSON, when
   * appends have a limit of their own besides each message's (NATS stores an
   * append as one message of at most the server's `max_payload`). Default: none.
   */
  readonly maxAppendBytes?: number;
  /** The store lists streams and categories and counts messages (operators' tools); default false. */
  readonly browsing?: boolean;
}

/** Options of {@link testStoreContract}. */
export interface StoreContractOptions {
  /** Shown in every test name. */
  readonly name: string;
  /** Makes a new, empty store; called once per test and once per property run. */
  readonly create: () => EventStore | Promise<EventStore>;
  readonly capabilities?: StoreCapabilities;
  /** Runs per fast-check property; default 100 (slower stores pass fewer). */
  readonly propertyRuns?: number;
  /**
   * A new store over what the last `create()` made, without emptying it: how
   * the suite sees that a closed store wrote nothing. Absent (the memory
   * store, whose data goes with the object): only the refusals are checked.
   */
  readonly reopen?: () => EventStore | Promise<EventStore>;
}

/** Registers the store contract suite with node:test. */
export function testStoreContract(options: StoreContractOptions): void {
  describe(`EventStore contract: ${options.name}`, () => {
    testStoreExamples(options);
    testStoreReads(options);
    testStoreBadInput(options);
    testStoreProperties(options);
    testStoreDeferred(options);
    testStoreLimits(options);
    testStoreClosed(options);
    testStoreBrowse(options);
    testStoreCommandHandler(options);
  });
}
