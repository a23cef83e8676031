// What checkProjection does to a history: records it as a store would, and
// delivers it again the ways at-least-once delivery and partitions do.

import type { MessageMetadata, RecordedMessage } from "../mod.ts";
import { createMemoryStore } from "../mod.ts";

/** One event of a generated history, as the checks take it. */
export interface HistoryEntry {
  readonly streamName: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: MessageMetadata;
}

/** The store refused an event of a history (the store's error is the `cause`): the history's fault. */
export class RefusedEvent extends Error {
  constructor(readonly index: number, readonly event: HistoryEntry, options: { cause: unknown }) {
    super(`the store refused event ${index + 1} of the history`, options);
  }
}

/**
 * The events as a store records them: ids, versions and positions filled in.
 * Rejects with a {@link RefusedEvent} for the first event the store refuses.
 */
export async function record(events: readonly HistoryEntry[]): Promise<RecordedMessage[]> {
  const store = createMemoryStore();
  for (const [index, e] of events.entries()) {
    try {
      await store.append(e.streamName, [
        e.metadata === undefined
          ? { type: e.type, data: e.data }
          : { type: e.type, data: e.data, metadata: e.metadata },
      ]);
    } catch (error) {
      throw new RefusedEvent(index, e, { cause: error });
    }
  }
  return await store.readAll().toArray();
}

/**
 * At-least-once as it happens: a message again at once, or the last few again
 * (a checkpoint that was not saved), never a message before an older one of
 * its stream is done.
 */
export function withRedeliveries(
  messages: readonly RecordedMessage[],
  roll: () => number,
): RecordedMessage[] {
  const out: RecordedMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    out.push(messages[i]);
    const r = roll();
    if (r < 15) out.push(messages[i]);
    else if (r < 30) out.push(...messages.slice(Math.max(0, i - (r % 4)), i + 1));
  }
  return out;
}

/** A random merge of the streams that keeps each stream's order. */
export function interleaved(
  messages: readonly RecordedMessage[],
  roll: () => number,
): RecordedMessage[] {
  const queues = new Map<string, RecordedMessage[]>();
  for (const m of messages) queues.set(m.streamName, [...(queues.get(m.streamName) ?? []), m]);
  const out: RecordedMessage[] = [];
  while (queues.size > 0) {
    const names = [...queues.keys()];
    const name = names[roll() % names.length];
    const queue = queues.get(name)!;
    out.push(queue.shift()!);
    if (queue.length === 0) queues.delete(name);
  }
  return out;
}

/** A store holding `messages` again, with their ids, in their order. */
export async function storeOf(messages: readonly RecordedMessage[]) {
  const store = createMemoryStore();
  for (const m of messages) {
    await store.append(m.streamName, [{
      id: m.id,
      type: m.type,
      data: m.data,
      metadata: m.metadata,
    }]);
  }
  return store;
}

/** Where the checkpoint of a consumer that handled all of `messages` from the start would be. */
export function endOf(messages: readonly RecordedMessage[]): bigint {
  return messages.length === 0 ? 0n : messages[messages.length - 1].globalPosition + 1n;
}

/**
 * `messages` cut into pages at random, as a consumer's reads and a failing
 * page's narrowing cut them: about one cut in three, and never a message twice
 * in one page (a redelivery comes in a later page).
 */
export function inPages<M extends RecordedMessage>(
  messages: readonly M[],
  roll: () => number,
): M[][] {
  const pages: M[][] = [];
  let page: M[] = [];
  for (const m of messages) {
    if (page.length > 0 && (roll() < 35 || page.some((x) => x.id === m.id))) {
      pages.push(page);
      page = [];
    }
    page.push(m);
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
