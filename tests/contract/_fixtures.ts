// Small builders shared by the contract suites.
import type { EventStore, MessageInput, RecordedMessage } from "../../mod.ts";
import type { StoreContractOptions } from "./store.ts";

/** A message with a fresh id. */
export function message(
  type = "Happened",
  data: Record<string, unknown> = {},
): MessageInput & { id: string } {
  return { id: crypto.randomUUID(), type, data: data as MessageInput["data"] };
}

/** `count` messages with fresh ids, data `{ n: i }`. */
export function messages(count: number, type = "Happened"): (MessageInput & { id: string })[] {
  return Array.from({ length: count }, (_, n) => message(type, { n }));
}

/** Every message in the store, in global order. */
export async function readEverything(store: EventStore): Promise<RecordedMessage[]> {
  return await store.readAll().toArray();
}

/** What a store holds, as comparable plain values: for "nothing changed" checks. */
export async function snapshot(store: EventStore): Promise<unknown> {
  const all = await readEverything(store);
  return {
    head: await store.headPosition(),
    messages: all.map((
      m,
    ) => [m.id, m.streamName, m.streamVersion, m.globalPosition, m.type, m.data]),
  };
}

/** Asserts that positions only grow. */
export function isStrictlyIncreasing(positions: readonly bigint[]): boolean {
  for (let i = 1; i < positions.length; i++) if (positions[i] <= positions[i - 1]) return false;
  return true;
}

/** Runs `body` on a fresh store and closes it afterwards, whatever happens. */
export async function withStore<T>(
  options: StoreContractOptions,
  body: (store: EventStore) => Promise<T>,
): Promise<T> {
  const store = await options.create();
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
