/**
 * Browsing the NATS store, for operators' tools: its streams by name, its
 * categories, a message by id and counts of messages past a position.
 *
 * JetStream keeps one index a browser can use without a write of ours: the
 * per-subject index behind stream info's `subjects_filter`, and an ordo
 * stream is one subject. A listing reads the subjects of the narrowest filter
 * (a category when the filter names one, else the whole store), decodes and
 * sorts the names (escaped tokens do not sort as names do), and gets the last
 * record of each stream it lists. docs/decisions/nats.md weighs the cost.
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
  validateId,
  validateListStreamsOptions,
} from "../../core/mod.ts";
import { decodeRecord, lastVersionOf, recordedMessages, toGlobalPosition } from "./batch_record.ts";
import type { IdIndex } from "./id_index.ts";
import { type JetStreamApi, subjectCounts, textOf } from "./jetstream/mod.ts";
import { type RecordSource, scanRecords } from "./_scan.ts";
import { PageReader } from "./_page_reader.ts";
import type { Located, StreamReader } from "./_stream_reader.ts";
import type { StoreSubjects } from "./subjects.ts";

/** What the browser reads through: the store's own readers. */
export interface BrowseSource {
  readonly api: JetStreamApi;
  /** The JetStream stream holding the records. */
  readonly stream: string;
  /** The same stream, for scans and the counts' page reads. */
  readonly records: RecordSource;
  readonly subjects: StoreSubjects;
  readonly reader: StreamReader;
  readonly index: IdIndex;
}

// Records a type-filtered listing reads per call at most (beyond the first
// stream it looks at, which it always finishes): a page may come back short.
const TYPE_BUDGET = 1000;
// Records of one stream a type check walks back along links before it scans instead.
const WALK = 4;
// Message gets in flight at once while summarising a page.
const PARALLEL = 64;
// Messages counted per page read.
const COUNT_PAGE = 1000;

/** Lists, counts and finds what a NATS store holds. */
export class NatsBrowser {
  readonly #source: BrowseSource;
  // Counts read through cursors of their own, so that a console counting lag
  // every few seconds never takes the cursor a reader of the store pages on.
  readonly #counts: PageReader;

  constructor(source: BrowseSource) {
    this.#source = source;
    this.#counts = new PageReader(source.records);
  }

  /** Releases the counts' cursors. */
  async close(): Promise<void> {
    await this.#counts.close();
  }

  async listStreams(options?: ListStreamsOptions): Promise<StreamPage> {
    const { category, prefix, type, after, limit } = validateListStreamsOptions(options);
    const start = namePrefixOf(category, prefix);
    if (start === undefined) return { streams: [], next: undefined, end: true };
    const names = await this.#names(start, after);
    if (type === undefined) {
      const listed = names.slice(0, limit);
      const lasts = await inParallel(listed, ({ name }) => this.#last(name));
      const streams = lasts.filter((last) => last !== undefined).map(summaryOf);
      const end = names.length <= limit;
      return { streams, next: end ? undefined : listed[listed.length - 1].name, end };
    }
    return await this.#withType(names, type, limit);
  }

  // Looks at the candidates in order until the page is full and one more
  // matches, or the record budget is spent; `next` is then the last name
  // looked at, so nothing before it is looked at again.
  async #withType(
    candidates: readonly Candidate[],
    type: string,
    limit: number,
  ): Promise<StreamPage> {
    const streams: StreamSummary[] = [];
    let spent = 0;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i];
      if (i > 0 && spent + candidate.records > TYPE_BUDGET) {
        return { streams, next: candidates[i - 1].name, end: false };
      }
      spent += candidate.records;
      const last = await this.#last(candidate.name);
      if (last === undefined || !(await this.#holds(candidate, last, type))) continue;
      if (streams.length === limit) {
        return { streams, next: streams[limit - 1].streamName, end: false };
      }
      streams.push(summaryOf(last));
    }
    return { streams, next: undefined, end: true };
  }

  // Stream names starting with `start`, past `after`, by name, with their record counts.
  async #names(start: string, after: string): Promise<Candidate[]> {
    const { api, stream, subjects } = this.#source;
    const dash = start.indexOf("-");
    const filter = dash === -1 ? subjects.all : subjects.category(start.slice(0, dash));
    const candidates: Candidate[] = [];
    for (const [subject, records] of await subjectCounts(api, stream, filter)) {
      const name = subjects.streamOf(subject);
      if (name === undefined || !name.startsWith(start)) continue;
      if (after !== "" && compareNames(name, after) <= 0) continue;
      candidates.push({ name, records });
    }
    return candidates.sort((a, b) => compareNames(a.name, b.name));
  }

  // Whether any message of the stream has `type`: its last record first
  // (often enough), then back along the records' links, or for a longer
  // stream a scan of its subject from its start.
  async #holds(candidate: Candidate, last: Located, type: string): Promise<boolean> {
    const holdsType = (record: Located["record"]) => record.messages.some((m) => m[1] === type);
    if (holdsType(last.record)) return true;
    if (candidate.records > WALK) {
      let found = false;
      await scanRecords(this.#source.records, {
        filter: this.#source.subjects.stream(candidate.name),
        startSeq: 1,
        batch: 256,
        operation: "listStreams",
      }, (_seq, record) => !(found = holdsType(record)));
      return found;
    }
    for (let previous = last.record.previous; previous > 0;) {
      const located = await this.#source.reader.at(previous);
      if (located === undefined) return false;
      if (holdsType(located.record)) return true;
      previous = located.record.previous;
    }
    return false;
  }

  async #last(name: string): Promise<Located | undefined> {
    return await this.#source.reader.last(name);
  }

  async listCategories(): Promise<CategorySummary[]> {
    const { api, stream, subjects } = this.#source;
    const categories = new Set<string>();
    for (const subject of (await subjectCounts(api, stream, subjects.all)).keys()) {
      const name = subjects.streamOf(subject);
      if (name !== undefined) categories.add(name.slice(0, name.indexOf("-")));
    }
    const sorted = [...categories].sort(compareNames);
    const lasts = await inParallel(sorted, async (category) => {
      const stored = await api.getMessage(stream, { last_by_subj: subjects.category(category) });
      const record = stored === undefined ? undefined : decodeRecord(textOf(stored.data));
      return record === undefined
        ? undefined
        : toGlobalPosition(stored!.seq, record.messages.length - 1);
    });
    const summaries: CategorySummary[] = [];
    sorted.forEach((category, i) => {
      const lastPosition = lasts[i];
      if (lastPosition !== undefined) summaries.push({ category, lastPosition });
    });
    return summaries;
  }

  // Counted by reading pages: types live inside records, and a record holds
  // one or more messages, so no server-side count says how many messages lie
  // past a position. A count costs at most `max` messages read (plus, with
  // types, the records of other types it passes over).
  async countMessages(options?: CountMessagesOptions): Promise<number> {
    const { category, types, from, max } = validateCountMessagesOptions(options);
    const { subjects } = this.#source;
    const filter = category === undefined ? subjects.all : subjects.category(category);
    let count = 0;
    let position = from;
    while (count < max) {
      const limit = Math.min(COUNT_PAGE, max - count);
      const page = await this.#counts.read(filter, types, position, limit, "countMessages");
      count += page.messages.length;
      if (page.end) break;
      position = page.next;
    }
    return Math.min(count, max);
  }

  // The id index names the stream and a sequence the record comes after.
  async getMessage(id: string): Promise<RecordedMessage | undefined> {
    const checked = validateId(id, "id");
    const entry = await this.#source.index.read(checked);
    if (entry === undefined || entry.streamName === "") return undefined;
    const located = await this.#source.reader.findRecord(entry.streamName, checked, entry.after);
    if (located === undefined) return undefined;
    return recordedMessages(located.record, located.seq).find((m) => m.id === checked);
  }
}

interface Candidate {
  readonly name: string;
  /** Records (appends) the stream holds. */
  readonly records: number;
}

function summaryOf({ seq, record }: Located): StreamSummary {
  const name = record.streamName;
  const last = record.messages.length - 1;
  const [, type, , metadata] = record.messages[last];
  const timestamp = metadata?.timestamp;
  return {
    streamName: name,
    category: name.slice(0, name.indexOf("-")),
    version: lastVersionOf(record),
    globalPosition: toGlobalPosition(seq, last),
    lastType: type,
    ...(typeof timestamp === "string" ? { lastTimestamp: timestamp } : {}),
  };
}

// Maps each item with at most PARALLEL calls in flight, keeping the order.
async function inParallel<T, R>(items: readonly T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await map(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return results;
}
