/**
 * The store as operators see it at a glance: its head, its categories and
 * how many streams it holds, each part only when the store can tell it.
 *
 * @module
 */

import { type CategorySummary, checkCount, checkOptions, type EventStore } from "../core/mod.ts";
import { settledAll } from "./_settled_all.ts";

/** What {@link inspectStore} reads. */
export interface StoreView {
  /** The newest position a reader can see. */
  readonly head: bigint;
  /** Every category with its newest position, when the store can list them. */
  readonly categories?: readonly CategorySummary[];
  /** How many streams it holds, counted up to a cap, when the store can list them. */
  readonly streams?: { readonly count: number; readonly capped: boolean };
}

/** Options of {@link inspectStore}. */
export interface InspectStoreOptions {
  /** Stop counting streams here (each thousand is one page of `listStreams`). Default 10,000. */
  readonly streamCap?: number;
}

/**
 * The store's head, categories and stream count.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../mod.ts";
 * import { inspectStore } from "./inspect_store.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
 * console.log(await inspectStore(store)); // { head: 1n, categories: [...], streams: { count: 1, capped: false } }
 * ```
 */
export async function inspectStore(
  store: EventStore,
  options: InspectStoreOptions = {},
): Promise<StoreView> {
  const cap = checkCount(
    checkOptions(options, ["streamCap"]).streamCap,
    "options.streamCap",
    10_000,
  );
  const [head, categories, streams] = await settledAll([
    store.headPosition(),
    store.listCategories?.(),
    countStreams(store, cap),
  ]);
  return {
    head,
    ...(categories === undefined ? {} : { categories }),
    ...(streams === undefined ? {} : { streams }),
  };
}

async function countStreams(
  store: EventStore,
  cap: number,
): Promise<{ count: number; capped: boolean } | undefined> {
  if (store.listStreams === undefined) return undefined;
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.listStreams({
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    });
    count += page.streams.length;
    if (page.end) return { count, capped: false };
    if (count >= cap) return { count: cap, capped: true };
    after = page.next;
  }
}
