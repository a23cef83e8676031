// Browsing a store (listStreams, listCategories, countMessages): the optional
// capabilities operators' tools read. Runs for stores that declare them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type EventStore, ValidationError } from "../../mod.ts";
import { compareNames, type StreamSummary } from "../../core/mod.ts";
import { message, messages, withStore } from "./_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";
import type { StoreContractOptions } from "./store.ts";

type Browsing =
  & EventStore
  & Required<Pick<EventStore, "listStreams" | "listCategories" | "countMessages" | "getMessage">>;

function browsing(store: EventStore): Browsing {
  assert.ok(
    store.listStreams && store.listCategories && store.countMessages,
    "browsing capability",
  );
  return store as Browsing;
}

/** Every stream a filter lists, page after page. */
async function listAll(
  store: Browsing,
  filter: { category?: string; prefix?: string; type?: string },
  limit = 2,
): Promise<StreamSummary[]> {
  const all: StreamSummary[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listStreams({ ...filter, limit, ...(after ? { after } : {}) });
    assert.ok(page.streams.length <= limit);
    all.push(...page.streams);
    if (page.end) {
      assert.equal(page.next, undefined);
      return all;
    }
    assert.ok(page.next !== undefined, "a page that is not the end says where the next starts");
    after = page.next;
  }
  throw new Error("listStreams never reached the end");
}

const names = (streams: readonly StreamSummary[]) => streams.map((s) => s.streamName);

export function testStoreBrowse(options: StoreContractOptions): void {
  if (options.capabilities?.browsing !== true) return;
  const test = (name: string, body: (store: Browsing) => Promise<void>) =>
    it(name, () => withStore(options, (store) => body(browsing(store))));

  describe("listStreams()", () => {
    test("lists every stream once, by name, with its last message", async (store) => {
      await store.append("order-2", [message("OrderPlaced")]);
      const first = await store.append("order-1", messages(2, "OrderPlaced"));
      await store.append("user-1", [message("UserJoined")]);
      const last = await store.append("order-1", [{
        ...message("OrderShipped"),
        metadata: { timestamp: "2026-01-02T03:04:05.000Z" },
      }]);
      const page = await store.listStreams();
      assert.deepEqual(names(page.streams), ["order-1", "order-2", "user-1"]);
      assert.equal(page.end, true);
      assert.equal(page.next, undefined);
      assert.deepEqual(page.streams[0], {
        streamName: "order-1",
        category: "order",
        version: 2,
        globalPosition: last.globalPosition,
        lastType: "OrderShipped",
        lastTimestamp: "2026-01-02T03:04:05.000Z",
      });
      assert.ok(page.streams[0].globalPosition > first.globalPosition);
      assert.equal(typeof page.streams[1].lastTimestamp, "string");
    });

    test("pages by name: next is the last name of the page, and the last page says end", async (store) => {
      for (const id of ["e", "a", "d", "c", "b"]) await store.append(`item-${id}`, messages(1));
      const first = await store.listStreams({ limit: 2 });
      assert.deepEqual([names(first.streams), first.next, first.end], [
        ["item-a", "item-b"],
        "item-b",
        false,
      ]);
      const second = await store.listStreams({ limit: 2, after: first.next });
      assert.deepEqual(names(second.streams), ["item-c", "item-d"]);
      const third = await store.listStreams({ limit: 2, after: second.next });
      assert.deepEqual([names(third.streams), third.end], [["item-e"], true]);
      assert.deepEqual(names(await listAll(store, {}, 2)), [
        "item-a",
        "item-b",
        "item-c",
        "item-d",
        "item-e",
      ]);
    });

    test("filters by category, which is not a name prefix: order takes no orderline stream", async (store) => {
      for (const name of ["order-1", "orderline-1", "order-2", "or-1", "order:x-1", "user-1"]) {
        await store.append(name, messages(1));
      }
      assert.deepEqual(names(await listAll(store, { category: "order" })), ["order-1", "order-2"]);
      assert.deepEqual(names(await listAll(store, { category: "nothing" })), []);
    });

    test("filters by name prefix, alone and within a category", async (store) => {
      for (const name of ["order-10", "order-11", "order-2", "order-1", "orders-1", "user-1"]) {
        await store.append(name, messages(1));
      }
      assert.deepEqual(names(await listAll(store, { prefix: "order-1" })), [
        "order-1",
        "order-10",
        "order-11",
      ]);
      assert.deepEqual(names(await listAll(store, { prefix: "order" })), [
        "order-1",
        "order-10",
        "order-11",
        "order-2",
        "orders-1",
      ]);
      assert.deepEqual(names(await listAll(store, { category: "order", prefix: "order-1" })), [
        "order-1",
        "order-10",
        "order-11",
      ]);
      assert.deepEqual(names(await listAll(store, { category: "order", prefix: "ord" })), [
        "order-1",
        "order-10",
        "order-11",
        "order-2",
      ]);
      assert.deepEqual(await store.listStreams({ category: "order", prefix: "user-" }), {
        streams: [],
        next: undefined,
        end: true,
      });
    });

    test("filters by a type any message of the stream has, not only its last", async (store) => {
      await store.append("order-1", [message("OrderPlaced"), message("OrderShipped")]);
      await store.append("order-2", [message("OrderPlaced")]);
      await store.append("order-3", [message("OrderCancelled")]);
      await store.append("user-1", [message("OrderPlaced")]);
      assert.deepEqual(names(await listAll(store, { type: "OrderPlaced" }, 1)), [
        "order-1",
        "order-2",
        "user-1",
      ]);
      assert.deepEqual(names(await listAll(store, { type: "OrderPlaced", category: "order" })), [
        "order-1",
        "order-2",
      ]);
      assert.deepEqual(names(await listAll(store, { type: "Nothing" })), []);
    });

    test("orders names by code point: upper case, digits and punctuation before lower case, then beyond ASCII", async (store) => {
      const all = [
        "order-é",
        "order-b",
        "order-B",
        "order-1",
        "order-_",
        "order-.x",
        "order-ß",
        "order-🙂",
        "order-\uffee",
      ];
      for (const name of all) await store.append(name, messages(1));
      assert.deepEqual(
        names(await listAll(store, { category: "order" }, 3)),
        [...all].sort(compareNames),
      );
    });

    test("refuses bad options with a ValidationError naming the option", async (store) => {
      const refused = async (options: unknown, path: string) =>
        await assert.rejects(
          store.listStreams(options as never),
          (error) => error instanceof ValidationError && error.path === path,
        );
      await refused({ limit: 0 }, "options.limit");
      await refused({ limit: 1001 }, "options.limit");
      await refused({ category: "no-dash" }, "options.category");
      await refused({ prefix: "" }, "options.prefix");
      await refused({ type: 3 }, "options.type");
      await refused({ after: 1 }, "options.after");
    });

    it("pages through any set of streams and filters exactly as sorting and filtering them would", async () => {
      const ids = fc.constantFrom("1", "2", "10", "a", "A", "b-1", "é");
      const streams = fc.uniqueArray(
        fc.record({
          category: fc.constantFrom("order", "orders", "user"),
          id: ids,
          type: fc.constantFrom("A", "B"),
        }),
        { maxLength: 12, selector: (s) => `${s.category}-${s.id}` },
      );
      const filter = fc.record({
        category: fc.option(fc.constantFrom("order", "user"), { nil: undefined }),
        prefix: fc.option(fc.constantFrom("o", "order-1", "user-", "orders"), { nil: undefined }),
        type: fc.option(fc.constantFrom("A", "B"), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(
          streams,
          filter,
          fc.integer({ min: 1, max: 4 }),
          (specs, f, limit) =>
            withStore(options, async (raw) => {
              const store = browsing(raw);
              for (const s of specs) await store.append(`${s.category}-${s.id}`, [message(s.type)]);
              const expected = specs.map((s) => ({ name: `${s.category}-${s.id}`, ...s }))
                .filter((s) => f.category === undefined || s.category === f.category)
                .filter((s) => f.prefix === undefined || s.name.startsWith(f.prefix))
                .filter((s) => f.type === undefined || s.type === f.type)
                .map((s) => s.name)
                .sort(compareNames);
              const cleaned = Object.fromEntries(
                Object.entries(f).filter(([, v]) => v !== undefined),
              );
              assert.deepEqual(names(await listAll(store, cleaned, limit)), expected);
            }),
        ),
        propertyParameters(Math.max(5, Math.round((options.propertyRuns ?? 100) / 2))),
      );
    });
  });

  describe("listCategories()", () => {
    test("lists every category once, by name, with its newest position", async (store) => {
      await store.append("user-1", messages(1));
      await store.append("order-1", messages(2));
      const last = await store.append("order-2", messages(1));
      const users = await store.append("user-2", messages(1));
      assert.deepEqual(await store.listCategories(), [
        { category: "order", lastPosition: last.globalPosition },
        { category: "user", lastPosition: users.globalPosition },
      ]);
    });

    test("is empty for an empty store", async (store) => {
      assert.deepEqual(await store.listCategories(), []);
      assert.deepEqual(await store.listStreams(), { streams: [], next: undefined, end: true });
      assert.equal(await store.countMessages(), 0);
    });
  });

  describe("getMessage()", () => {
    test("finds a message by its id, in any case; undefined for an id not stored; refuses a non-UUID", async (store) => {
      const written = message("OrderPlaced", { total: 3 });
      await store.append("order-1", [message()]);
      await store.append("order-2", [written]);
      const [stored] = await store.readStream("order-2");
      assert.deepEqual(await store.getMessage(written.id), stored);
      assert.deepEqual(await store.getMessage(written.id.toUpperCase()), stored);
      assert.equal(await store.getMessage(crypto.randomUUID()), undefined);
      await assert.rejects(
        store.getMessage("nope"),
        (error) => error instanceof ValidationError && error.path === "id",
      );
    });
  });

  describe("countMessages()", () => {
    test("counts from a position, in all or a category, of some types, up to a cap", async (store) => {
      const a = await store.append("order-1", [message("A"), message("B"), message("A")]);
      await store.append("user-1", [message("A")]);
      await store.append("order-2", [message("B")]);
      assert.equal(await store.countMessages(), 5);
      assert.equal(await store.countMessages({ category: "order" }), 4);
      assert.equal(await store.countMessages({ category: "order", types: ["A"] }), 2);
      assert.equal(await store.countMessages({ types: ["A", "B"], max: 3 }), 3);
      assert.equal(await store.countMessages({ from: a.positions[1].globalPosition }), 4);
      assert.equal(
        await store.countMessages({ category: "order", from: a.globalPosition + 1n, types: ["B"] }),
        1,
      );
      assert.equal(await store.countMessages({ category: "nothing" }), 0);
      await assert.rejects(
        store.countMessages({ max: 0 }),
        (error) => error instanceof ValidationError && error.path === "options.max",
      );
      await assert.rejects(
        store.countMessages({ from: -1n }),
        (error) => error instanceof ValidationError && error.path === "options.from",
      );
    });
  });
}
