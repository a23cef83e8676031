// The stand-in's memory: a list of events in $all order and a revision
// counter per stream, just enough for the real client to get plausible
// answers. It is NOT a model of EventStoreDB: no deduplication, no metadata
// streams, no scavenging, no transactions, positions are made up. Tests that
// use it may assert only that calls and answers crossed the wire.

/** An event as the stand-in keeps it. */
export interface StoredEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  /** The made-up $all log position: commit = prepare = this. */
  readonly position: bigint;
  readonly metadata: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

/** An event as an append proposes it. */
export type ProposedEvent = Pick<StoredEvent, "id" | "metadata" | "data" | "customMetadata">;

/** What the writer expects the stream to be at. */
export type Expectation = { readonly kind: "any" | "no_stream" | "stream_exists" } | {
  readonly kind: "revision";
  readonly revision: bigint;
};

export type AppendOutcome =
  | { readonly ok: true; readonly revision: bigint; readonly position: bigint }
  | { readonly ok: false; readonly current: bigint | undefined };

// Positions step like byte offsets would, so they are sparse as in the real log.
const FIRST_POSITION = 1_000n;
const POSITION_STEP = 137n;

export class EventLog {
  readonly #all: StoredEvent[] = [];
  readonly #streams = new Map<string, StoredEvent[]>();
  readonly #listeners = new Set<(event: StoredEvent) => void>();

  append(stream: string, expected: Expectation, proposed: readonly ProposedEvent[]): AppendOutcome {
    const events = this.#streams.get(stream);
    const current = events === undefined ? undefined : events[events.length - 1].revision;
    const fits = expected.kind === "any" ||
      (expected.kind === "no_stream" && current === undefined) ||
      (expected.kind === "stream_exists" && current !== undefined) ||
      (expected.kind === "revision" && current === expected.revision);
    if (!fits) return { ok: false, current };
    const list = events ?? [];
    this.#streams.set(stream, list);
    let last: StoredEvent | undefined;
    for (const event of proposed) {
      const previous = this.#all[this.#all.length - 1];
      last = {
        ...event,
        stream,
        revision: BigInt(list.length),
        position: previous === undefined ? FIRST_POSITION : previous.position + POSITION_STEP,
      };
      list.push(last);
      this.#all.push(last);
    }
    for (const listener of last === undefined ? [] : this.#listeners) {
      for (const event of list.slice(list.length - proposed.length)) listener(event);
    }
    return { ok: true, revision: last?.revision ?? current ?? -1n, position: last?.position ?? 0n };
  }

  /** `undefined` when the stream has no events. */
  readStream(
    stream: string,
    from: bigint | "start" | "end",
    forwards: boolean,
    count: number,
  ): StoredEvent[] | undefined {
    const events = this.#streams.get(stream);
    if (events === undefined) return undefined;
    if (forwards) {
      const start = from === "start" ? 0 : from === "end" ? events.length : Number(from);
      return events.slice(start, start + count);
    }
    const end = from === "end"
      ? events.length - 1
      : from === "start"
      ? -1
      : Math.min(Number(from), events.length - 1);
    return events.slice(Math.max(0, end - count + 1), end + 1).reverse();
  }

  /** Forward reads start at `from` (inclusive); backward reads end below it. */
  readAll(from: bigint | "start" | "end", forwards: boolean, count: number): StoredEvent[] {
    if (forwards) {
      const start = from === "start"
        ? 0
        : from === "end"
        ? this.#all.length
        : this.#all.findIndex((e) => e.position >= from);
      return start < 0 ? [] : this.#all.slice(start, start + count);
    }
    const below = from === "end"
      ? this.#all.length
      : from === "start"
      ? 0
      : this.#all.filter((e) => e.position < from).length;
    return this.#all.slice(Math.max(0, below - count), below).reverse();
  }

  /** Calls `listener` for every event appended from now on; returns the unsubscribe call. */
  listen(listener: (event: StoredEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
