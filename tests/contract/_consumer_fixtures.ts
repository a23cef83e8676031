// Helpers shared by the consumer contract suites.
import type { ConsumerStorage } from "../../core/consumers/mod.ts";
import type { EventStore, MessageInput } from "../../mod.ts";
import type { ConsumerContractOptions, TxProbe } from "./consumer.ts";

/** A test's store, storage and probe. */
export interface Rig<Tx> {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<Tx>;
  readonly probe: TxProbe<Tx>;
}

/** Runs `body` with a fresh rig and closes everything afterwards. */
export async function withRig<Tx, T>(
  options: ConsumerContractOptions<Tx>,
  body: (rig: Rig<Tx>) => Promise<T>,
): Promise<T> {
  const store = await options.createStore();
  const storage = await options.createStorage();
  try {
    const probe = await options.txProbe(storage);
    return await body({ store, storage, probe });
  } finally {
    await options.closeStorage?.(storage);
    await store.close();
  }
}

/** `count` messages with fresh ids and data `{ n }` from `start`. */
export function batch(count: number, start = 0, type = "Happened"): MessageInput[] {
  return Array.from(
    { length: count },
    (_, i) => ({ id: crypto.randomUUID(), type, data: { n: start + i } }),
  );
}

export { until } from "../_until.ts";

/** A promise and its resolver, for gates in handlers. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Retry policy for tests: no waiting between attempts. */
export const NO_DELAY = { initialDelay: 0, maxDelay: 0 } as const;

/** Every message of the store, in global order. */
export async function everything(store: EventStore) {
  return await store.readAll({ limit: 100_000 }).toArray();
}
