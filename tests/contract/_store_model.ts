// A reference model of the EventStore port for model-based testing with
// fc.commands: plain arrays, obviously right, compared call by call with the
// store under test.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ConcurrencyError,
  DuplicateMessageError,
  type EventStore,
  type ExpectedVersion,
  type MessageInput,
  type RecordedMessage,
} from "../../mod.ts";
import { isStrictlyIncreasing } from "./_fixtures.ts";

/** Stream names of the model runs: "orderline" makes category reads prove they match whole categories. */
export const STREAMS = ["order-1", "order-2", "user-1", "orderline-1"] as const;
export const CATEGORIES = ["order", "user", "orderline"] as const;
export const TYPES = ["A", "B", "C"] as const;

interface Entry {
  readonly id: string;
  readonly type: string;
  readonly streamName: string;
  readonly streamVersion: number;
  /** Learned from the store when the append returned; the model only checks it stays consistent. */
  readonly globalPosition: bigint;
}

export interface Model {
  readonly log: Entry[];
  readonly streams: Map<string, Entry[]>;
  readonly batches: { streamName: string; messages: MessageInput[]; entries: Entry[] }[];
}

export const emptyModel = (): Model => ({ log: [], streams: new Map(), batches: [] });

type Command = fc.AsyncCommand<Model, EventStore>;

const versionOf = (model: Model, stream: string) => {
  const entries = model.streams.get(stream);
  return entries === undefined ? undefined : entries.length - 1;
};

type Expectation = "current" | "stale" | "ahead" | "no-stream" | "exists" | "any";

class AppendCommand implements Command {
  constructor(
    readonly stream: string,
    readonly types: readonly string[],
    readonly expectation: Expectation,
  ) {}
  check = () => true;
  async run(model: Model, store: EventStore): Promise<void> {
    const current = versionOf(model, this.stream);
    const expected: ExpectedVersion = this.expectation === "current"
      ? (current ?? "no-stream")
      : this.expectation === "stale"
      ? Math.max(0, (current ?? 0) - 1)
      : this.expectation === "ahead"
      ? (current ?? -1) + 1
      : this.expectation;
    const succeeds = expected === "any" || (expected === "no-stream" && current === undefined) ||
      (expected === "exists" && current !== undefined) || expected === current;
    const batch = this.types.map((type, n) => ({ id: crypto.randomUUID(), type, data: { n } }));
    if (!succeeds) {
      await assert.rejects(
        store.append(this.stream, batch, { expectedVersion: expected }),
        (error) => {
          assert.ok(error instanceof ConcurrencyError, String(error));
          assert.equal(error.actualVersion, current);
          return true;
        },
      );
      return;
    }
    const result = await store.append(this.stream, batch, { expectedVersion: expected });
    const first = (current ?? -1) + 1;
    assert.deepEqual(result.positions.map((p) => p.streamVersion), batch.map((_, i) => first + i));
    const positions = result.positions.map((p) => p.globalPosition);
    const previous = model.log.length === 0 ? 0n : model.log[model.log.length - 1].globalPosition;
    assert.ok(isStrictlyIncreasing([previous, ...positions]), "global positions must keep growing");
    const entries = batch.map((m, i) => ({
      id: m.id,
      type: m.type,
      streamName: this.stream,
      streamVersion: first + i,
      globalPosition: positions[i],
    }));
    model.log.push(...entries);
    model.streams.set(this.stream, [...(model.streams.get(this.stream) ?? []), ...entries]);
    model.batches.push({ streamName: this.stream, messages: batch, entries });
  }
  toString = () => `append(${this.stream}, [${this.types}], ${this.expectation})`;
}

class RetryCommand implements Command {
  constructor(readonly pick: number, readonly expected: ExpectedVersion) {}
  check = (model: Readonly<Model>) => model.batches.length > 0;
  async run(model: Model, store: EventStore): Promise<void> {
    const batch = model.batches[this.pick % model.batches.length];
    const result = await store.append(batch.streamName, batch.messages, {
      expectedVersion: this.expected,
    });
    assert.equal(result.deduplicated, true);
    assert.deepEqual(
      result.positions.map((p) => [p.id, p.streamVersion, p.globalPosition]),
      batch.entries.map((e) => [e.id, e.streamVersion, e.globalPosition]),
    );
  }
  toString = () => `retry(batch ${this.pick}, ${this.expected})`;
}

class ReuseIdElsewhereCommand implements Command {
  constructor(readonly pick: number, readonly stream: string) {}
  check = (model: Readonly<Model>) => model.batches.some((b) => b.streamName !== this.stream);
  async run(model: Model, store: EventStore): Promise<void> {
    const others = model.batches.filter((b) => b.streamName !== this.stream);
    const batch = others[this.pick % others.length];
    const reused = [{ id: crypto.randomUUID(), type: "A", data: {} }, batch.messages[0]];
    await assert.rejects(store.append(this.stream, reused), DuplicateMessageError);
  }
  toString = () => `reuseIdElsewhere(batch ${this.pick}, ${this.stream})`;
}

class ReadStreamCommand implements Command {
  constructor(
    readonly stream: string,
    readonly direction: "forward" | "backward",
    readonly from: number | undefined,
    readonly limit: number | undefined,
  ) {}
  check = () => true;
  async run(model: Model, store: EventStore): Promise<void> {
    const entries = model.streams.get(this.stream) ?? [];
    let expected: Entry[];
    if (this.direction === "forward") {
      const start = this.from ?? 0;
      expected = entries.slice(start, this.limit === undefined ? undefined : start + this.limit);
    } else {
      const start = Math.min(this.from ?? entries.length - 1, entries.length - 1);
      expected = entries.slice(0, start + 1).reverse().slice(0, this.limit);
    }
    const read = await store.readStream(this.stream, {
      direction: this.direction,
      from: this.from,
      limit: this.limit,
    });
    assertSame(read, expected);
  }
  toString = () =>
    `readStream(${this.stream}, ${this.direction}, from ${this.from}, limit ${this.limit})`;
}

class ReadGlobalCommand implements Command {
  constructor(
    readonly category: string | undefined,
    readonly fromIndex: number | undefined,
    readonly limit: number,
    readonly types: readonly string[] | undefined,
  ) {}
  check = () => true;
  async run(model: Model, store: EventStore): Promise<void> {
    // `from` is a real position taken from the log (or one past its end), so reads start exactly there.
    const from = this.fromIndex === undefined || model.log.length === 0
      ? 0n
      : this.fromIndex >= model.log.length
      ? model.log[model.log.length - 1].globalPosition + 1n
      : model.log[this.fromIndex].globalPosition;
    const expected = model.log
      .filter((e) => e.globalPosition >= from)
      .filter((e) => this.category === undefined || e.streamName.startsWith(`${this.category}-`))
      .filter((e) => this.types === undefined || this.types.includes(e.type))
      .slice(0, this.limit);
    const options = { from, limit: this.limit, types: this.types };
    const read = this.category === undefined
      ? await store.readAll(options).toArray()
      : await store.readCategory(this.category, options).toArray();
    assertSame(read, expected);
  }
  toString = () =>
    `${
      this.category === undefined ? "readAll(" : `readCategory(${this.category}, `
    }from #${this.fromIndex}, limit ${this.limit}, types ${this.types})`;
}

class InfoCommand implements Command {
  constructor(readonly stream: string) {}
  check = () => true;
  async run(model: Model, store: EventStore): Promise<void> {
    const entries = model.streams.get(this.stream);
    const info = await store.getStreamInfo(this.stream);
    assert.equal(info.version, entries === undefined ? undefined : entries.length - 1);
    assert.equal(info.globalPosition, entries?.[entries.length - 1].globalPosition);
    const head = await store.headPosition();
    assert.equal(
      head,
      model.log.length === 0 ? 0n : model.log[model.log.length - 1].globalPosition,
    );
  }
  toString = () => `info(${this.stream})`;
}

function assertSame(read: readonly RecordedMessage[], expected: readonly Entry[]): void {
  assert.deepEqual(
    read.map((m) => [m.id, m.type, m.streamName, m.streamVersion, m.globalPosition]),
    expected.map((e) => [e.id, e.type, e.streamName, e.streamVersion, e.globalPosition]),
  );
}

const stream = fc.constantFrom(...STREAMS);
const type = fc.constantFrom(...TYPES);

/** Every command the model knows, with arbitraries for their arguments. */
export const storeCommands: fc.Arbitrary<Command>[] = [
  fc.tuple(
    stream,
    fc.array(type, { minLength: 1, maxLength: 4 }),
    fc.constantFrom<Expectation>("current", "stale", "ahead", "no-stream", "exists", "any"),
  ).map(([s, types, e]) => new AppendCommand(s, types, e)),
  fc.tuple(fc.nat(), fc.constantFrom<ExpectedVersion>("any", "no-stream", 0, 5)).map(([p, e]) =>
    new RetryCommand(p, e)
  ),
  fc.tuple(fc.nat(), stream).map(([p, s]) => new ReuseIdElsewhereCommand(p, s)),
  fc.tuple(
    stream,
    fc.constantFrom("forward" as const, "backward" as const),
    fc.option(fc.nat(6), { nil: undefined }),
    fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  ).map(([s, d, f, l]) => new ReadStreamCommand(s, d, f, l)),
  fc.tuple(
    fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
    fc.option(fc.nat(30), { nil: undefined }),
    fc.integer({ min: 1, max: 8 }),
    fc.option(fc.subarray([...TYPES], { minLength: 1 }), { nil: undefined }),
  ).map(([c, f, l, t]) => new ReadGlobalCommand(c, f, l, t)),
  stream.map((s) => new InfoCommand(s)),
];
