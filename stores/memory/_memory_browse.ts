/**
 * Browsing the memory store: its streams by name, its categories, and counts
 * of messages past a position. Names are sorted when first listed after a
 * new stream appeared, so appends pay nothing for it.
 *
 * @module
 */

import {
  type CategorySummary,
  compareNames,
  type CountMessagesOptions,
  type ListStreamsOptions,
  namePrefixOf,
  type RecordedMessage,
  type StreamPage,
  type StreamSummary,
  validateCountMessagesOptions,
  validateListStreamsOptions,
} from "../../core/mod.ts";

/** What the browser reads of the store: live views of its maps and log. */
export interface MemoryContents {
  readonly log: readonly RecordedMessage[];
  readonly streams: ReadonlyMap<string, { readonly records: readonly RecordedMessage[] }>;
  readonly categories: ReadonlyMap<string, readonly RecordedMessage[]>;
}

/** Lists and counts what a memory store holds. */
export class MemoryBrowser {
  readonly #contents: MemoryContents;
  #sorted: string[] = [];

  constructor(contents: MemoryContents) {
    this.#contents = contents;
  }

  listStreams(options?: ListStreamsOptions): StreamPage {
    const { category, prefix, type, after, limit } = validateListStreamsOptions(options);
    const start = namePrefixOf(category, prefix);
    if (start === undefined) return { streams: [], next: undefined, end: true };
    const names = this.#names();
    const afterCursor = compareNames(after, start) >= 0;
    let i = firstAbove(names, afterCursor ? after : start, afterCursor);
    const streams: StreamSummary[] = [];
    for (; i < names.length && names[i].startsWith(start); i++) {
      const records = this.#contents.streams.get(names[i])!.records;
      if (type !== undefined && !records.some((m) => m.type === type)) continue;
      if (streams.length === limit) {
        return { streams, next: streams[limit - 1].streamName, end: false };
      }
      streams.push(summaryOf(records[records.length - 1]));
    }
    return { streams, next: undefined, end: true };
  }

  listCategories(): CategorySummary[] {
    return [...this.#contents.categories]
      .map(([category, records]) => ({
        category,
        lastPosition: records[records.length - 1].globalPosition,
      }))
      .sort((a, b) => compareNames(a.category, b.category));
  }

  countMessages(options?: CountMessagesOptions): number {
    const { category, types, from, max } = validateCountMessagesOptions(options);
    const records = category === undefined
      ? this.#contents.log
      : this.#contents.categories.get(category) ?? [];
    let low = 0;
    let high = records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (records[mid].globalPosition < from) low = mid + 1;
      else high = mid;
    }
    if (types === undefined) return Math.min(records.length - low, max);
    let count = 0;
    for (let i = low; i < records.length && count < max; i++) {
      if (types.includes(records[i].type)) count++;
    }
    return count;
  }

  // Streams are only ever added, so a new size means new names to sort in.
  #names(): string[] {
    if (this.#sorted.length !== this.#contents.streams.size) {
      this.#sorted = [...this.#contents.streams.keys()].sort(compareNames);
    }
    return this.#sorted;
  }
}

// Index of the first name above `bound` (or at it, unless `strict`).
function firstAbove(names: readonly string[], bound: string, strict: boolean): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const order = compareNames(names[mid], bound);
    if (order < 0 || (strict && order === 0)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function summaryOf(last: RecordedMessage): StreamSummary {
  const timestamp = last.metadata?.timestamp;
  const name = last.streamName;
  return {
    streamName: name,
    category: name.slice(0, name.indexOf("-")),
    version: last.streamVersion,
    globalPosition: last.globalPosition,
    lastType: last.type,
    ...(typeof timestamp === "string" ? { lastTimestamp: timestamp } : {}),
  };
}
