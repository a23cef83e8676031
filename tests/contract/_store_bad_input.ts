// Bad input: every case must be refused with a ValidationError naming the
// field and the value, and must leave the store exactly as it was.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EventStore, type MessageInput, ValidationError } from "../../mod.ts";
import { message, messages, snapshot, withStore } from "./_fixtures.ts";
import type { StoreContractOptions } from "./store.ts";

interface BadInput {
  readonly name: string;
  readonly call: (store: EventStore) => Promise<unknown>;
  /** Path the error must name. */
  readonly path: string;
  /** Text the error message must contain (the quoted value, mostly). */
  readonly mentions: string;
}

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const uuid = "0d9c1f4e-5b8a-4c3d-9e2f-1a2b3c4d5e6f";

const append = (stream: unknown, batch: unknown, options?: unknown) => (store: EventStore) =>
  store.append(stream as string, batch as MessageInput[], options as never);
const appendData = (data: unknown) => append("order-1", [{ ...message(), data }]);

const cases: readonly BadInput[] = [
  {
    name: "an empty stream name",
    call: append("", messages(1)),
    path: "streamName",
    mentions: '""',
  },
  {
    name: "a stream name without a dash",
    call: append("order", messages(1)),
    path: "streamName",
    mentions: '"order"',
  },
  {
    name: "a stream name with no category",
    call: append("-1", messages(1)),
    path: "streamName",
    mentions: '"-1"',
  },
  {
    name: "a stream name with no id",
    call: append("order-", messages(1)),
    path: "streamName",
    mentions: '"order-"',
  },
  {
    name: "a stream name with a space",
    call: append("order-1 2", messages(1)),
    path: "streamName",
    mentions: '"order-1 2"',
  },
  {
    name: "a stream name that looks like SQL",
    call: append("order'; drop table messages;--x-1", messages(1)),
    path: "streamName",
    mentions: "drop table",
  },
  {
    name: "a stream name that is not a string",
    call: append(42, messages(1)),
    path: "streamName",
    mentions: "42",
  },
  {
    name: "a stream name of 201 characters",
    call: append(`order-${"x".repeat(195)}`, messages(1)),
    path: "streamName",
    mentions: "at most 200",
  },
  { name: "no messages", call: append("order-1", []), path: "messages", mentions: "at least one" },
  {
    name: "messages that are not an array",
    call: append("order-1", "hello"),
    path: "messages",
    mentions: '"hello"',
  },
  {
    name: "a message that is null",
    call: append("order-1", [message(), null]),
    path: "messages[1]",
    mentions: "null",
  },
  {
    name: "an empty message type",
    call: append("order-1", [{ ...message(), type: "" }]),
    path: "messages[0].type",
    mentions: '""',
  },
  {
    name: "a message without data",
    call: append("order-1", [{ type: "T" }]),
    path: "messages[0].data",
    mentions: "needs data",
  },
  {
    name: "a bigint in data",
    call: appendData({ total: 10n }),
    path: "messages[0].data.total",
    mentions: "10n",
  },
  {
    name: "a function in data",
    call: appendData({ f: () => 1 }),
    path: "messages[0].data.f",
    mentions: "function",
  },
  {
    name: "a symbol in data",
    call: appendData({ s: Symbol("x") }),
    path: "messages[0].data.s",
    mentions: "symbol",
  },
  {
    name: "a cycle in data",
    call: appendData(cyclic),
    path: "messages[0].data.self",
    mentions: "cycle",
  },
  {
    name: "a Date in data",
    call: appendData({ at: new Date(0) }),
    path: "messages[0].data.at",
    mentions: "Date",
  },
  {
    name: "NaN in data",
    call: appendData({ n: Number.NaN }),
    path: "messages[0].data.n",
    mentions: "NaN",
  },
  {
    name: "Infinity in data",
    call: appendData({ n: [1, Infinity] }),
    path: "messages[0].data.n[1]",
    mentions: "Infinity",
  },
  {
    name: "undefined in an array",
    call: appendData([1, undefined]),
    path: "messages[0].data[1]",
    mentions: "undefined",
  },
  {
    name: "a NUL character in data",
    call: appendData({ text: "a\u0000b" }),
    path: "messages[0].data.text",
    mentions: "NUL",
  },
  {
    name: "an unpaired surrogate in data",
    call: appendData({ text: "\ud800" }),
    path: "messages[0].data.text",
    mentions: "surrogate",
  },
  {
    name: "a NUL character in a property name",
    call: appendData({ "a\u0000": 1 }),
    path: "messages[0].data.a\u0000",
    mentions: "NUL",
  },
  { name: "a Map as data", call: appendData(new Map()), path: "messages[0].data", mentions: "Map" },
  {
    name: "an id that is not a UUID",
    call: append("order-1", [{ ...message(), id: "42" }]),
    path: "messages[0].id",
    mentions: '"42"',
  },
  {
    name: "the same id twice in one append",
    call: append("order-1", [{ id: uuid, type: "T", data: {} }, {
      id: uuid.toUpperCase(),
      type: "T",
      data: {},
    }]),
    path: "messages[1].id",
    mentions: uuid,
  },
  {
    name: "metadata that is not an object",
    call: append("order-1", [{ ...message(), metadata: "m" }]),
    path: "messages[0].metadata",
    mentions: '"m"',
  },
  {
    // Dropped without a word, it would lose the correlation id for ever.
    name: "a misspelt metadata key",
    call: append("order-1", [{ ...message(), metdata: { correlationId: "c-1" } }]),
    path: "messages[0].metdata",
    mentions: 'did you mean "metadata"?',
  },
  {
    // The recorded fields pass (a copy); the misspelt key is the one named.
    name: "a misspelt key on a recorded message appended again",
    call: append("order-1", [{ ...message(), streamName: "order-9", metdata: {} }]),
    path: "messages[0].metdata",
    mentions: 'did you mean "metadata"?',
  },
  {
    name: "EventStoreDB's eventType for type",
    call: append("order-1", [{ eventType: "Happened", data: {} }]),
    path: "messages[0].eventType",
    mentions: 'did you mean "type"?',
  },
  {
    name: "a key near none of a message's",
    call: append("order-1", [...messages(1), { ...message(), category: "order" }]),
    path: "messages[1].category",
    mentions: 'the keys here are "id", "type", "data" and "metadata"',
  },
  {
    name: "a correlation id that is not a string",
    call: append("order-1", [{ ...message(), metadata: { correlationId: 5 } }]),
    path: "messages[0].metadata.correlationId",
    mentions: "5",
  },
  {
    name: "a schema version of 0",
    call: append("order-1", [{ ...message(), metadata: { schemaVersion: 0 } }]),
    path: "messages[0].metadata.schemaVersion",
    mentions: "0",
  },
  {
    name: "a timestamp given as a Date",
    call: append("order-1", [{ ...message(), metadata: { timestamp: new Date(0) as never } }]),
    path: "messages[0].metadata.timestamp",
    mentions: "not a Date: pass date.toISOString()",
  },
  {
    name: "a timestamp that is not a date",
    call: append("order-1", [{ ...message(), metadata: { timestamp: "yesterday" } }]),
    path: "messages[0].metadata.timestamp",
    mentions: '"yesterday"',
  },
  {
    name: "a message over the size limit",
    call: appendData({ text: "x".repeat(1024 * 1024 + 1) }),
    path: "messages[0]",
    mentions: "over the limit of 1048576 (the store's maxMessageSize option)",
  },
  {
    name: "a batch over the batch size limit",
    call: append("order-1", messages(10_001)),
    path: "messages",
    mentions: "at most 10000 messages fit in one append (the store's maxBatchSize option)",
  },
  {
    name: "a negative expected version",
    call: append("order-1", messages(1), { expectedVersion: -1 }),
    path: "options.expectedVersion",
    mentions: "-1",
  },
  {
    // EventStoreDB's client and Emmett count revisions in bigints.
    name: "an expected version given as a bigint",
    call: append("order-1", messages(1), { expectedVersion: 1n }),
    path: "options.expectedVersion",
    mentions: "not a bigint (global positions are the bigints): pass Number(version)",
  },
  {
    name: "a fractional expected version",
    call: append("order-1", messages(1), { expectedVersion: 1.5 }),
    path: "options.expectedVersion",
    mentions: "1.5",
  },
  {
    name: "an unknown expected version",
    call: append("order-1", messages(1), { expectedVersion: "none" }),
    path: "options.expectedVersion",
    mentions: '"none"',
  },
  {
    name: "an awaitGlobalPosition that is not a boolean",
    call: append("order-1", messages(1), { awaitGlobalPosition: "no" }),
    path: "options.awaitGlobalPosition",
    mentions: '"no"',
  },
  {
    name: "a bad expected version in a deferred append",
    call: append("order-1", messages(1), { expectedVersion: -2, awaitGlobalPosition: false }),
    path: "options.expectedVersion",
    mentions: "-2",
  },
  {
    name: "options that are not an object",
    call: append("order-1", messages(1), "fast"),
    path: "options",
    mentions: '"fast"',
  },
  {
    name: "a bad message after good ones",
    call: append("order-1", [message(), message(), { ...message(), data: { at: 1n } }]),
    path: "messages[2].data.at",
    mentions: "1n",
  },
  {
    name: "readStream() of a bad stream name",
    call: (s) => s.readStream("nope"),
    path: "streamName",
    mentions: '"nope"',
  },
  {
    name: "readStream() with a negative from",
    call: (s) => s.readStream("order-1", { from: -1 }),
    path: "options.from",
    mentions: "-1",
  },
  {
    name: "readStream() from a bigint version",
    call: (s) => s.readStream("order-1", { from: 1n as never }),
    path: "options.from",
    mentions: "1n: a stream version is a number here, not a bigint",
  },
  {
    name: "readStream() with a zero limit",
    call: (s) => s.readStream("order-1", { limit: 0 }),
    path: "options.limit",
    mentions: "0",
  },
  {
    name: "readStream() with an unknown direction",
    call: (s) => s.readStream("order-1", { direction: "up" as never }),
    path: "options.direction",
    mentions: '"up"',
  },
  {
    name: "readCategory() of a stream name",
    call: (s) => s.readCategory("order-1").toArray(),
    path: "category",
    mentions: '"order-1"',
  },
  {
    name: "readAll() from a number instead of a bigint",
    call: (s) => s.readAll({ from: 1 as never }).toArray(),
    path: "options.from",
    mentions: "1",
  },
  {
    name: "readAll() from a negative position",
    call: (s) => s.readAll({ from: -1n }).toArray(),
    path: "options.from",
    mentions: "-1n",
  },
  {
    name: "readAll() with a fractional limit",
    call: (s) => s.readAll({ limit: 1.5 }).toArray(),
    path: "options.limit",
    mentions: "1.5",
  },
  {
    name: "readAll() with a zero page size",
    call: (s) => s.readAll({ pageSize: 0 }).toArray(),
    path: "options.pageSize",
    mentions: "0",
  },
  {
    name: "readCategory() with a page size past the most",
    call: (s) => s.readCategory("order", { pageSize: 10_001 }).toArray(),
    path: "options.pageSize",
    mentions: "10001",
  },
  {
    name: "readAll() with no types",
    call: (s) => s.readAll({ types: [] }).toArray(),
    path: "options.types",
    mentions: "non-empty",
  },
  {
    name: "readPage() of a stream name as category",
    call: (s) => s.readPage({ category: "order-1" }),
    path: "options.category",
    mentions: '"order-1"',
  },
  {
    name: "readPage() from a negative position",
    call: (s) => s.readPage({ from: -1n }),
    path: "options.from",
    mentions: "-1n",
  },
  {
    name: "readPage() with a zero limit",
    call: (s) => s.readPage({ limit: 0 }),
    path: "options.limit",
    mentions: "0",
  },
  {
    name: "readPage() with a limit past the most",
    call: (s) => s.readPage({ limit: 100_001 }),
    path: "options.limit",
    mentions: "100001",
  },
  {
    name: "readPage() with a type that is not a string",
    call: (s) => s.readPage({ types: [7 as never] }),
    path: "options.types[0]",
    mentions: "7",
  },
  {
    name: "getStreamInfo() of a bad stream name",
    call: (s) => s.getStreamInfo("x y"),
    path: "streamName",
    mentions: '"x y"',
  },
];

export function testStoreBadInput(options: StoreContractOptions): void {
  describe("bad input", () => {
    for (const bad of cases) {
      it(`refuses ${bad.name} with a ValidationError and changes nothing`, () =>
        withStore(options, async (store) => {
          await store.append("order-1", messages(2));
          await store.append("user-1", messages(1));
          const before = await snapshot(store);
          // A read iterable checks its options at the call, so a throw before any promise counts too.
          await assert.rejects(async () => await bad.call(store), (error) => {
            assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
            assert.equal(error._tag, "ValidationError");
            assert.equal(error.path, bad.path);
            assert.ok(
              error.message.includes(bad.mentions),
              `the message should mention ${bad.mentions}: ${error.message}`,
            );
            assert.ok(error.message.startsWith(`Invalid ${bad.path} `), error.message);
            return true;
          });
          assert.deepEqual(await snapshot(store), before);
        }));
    }
  });
}
