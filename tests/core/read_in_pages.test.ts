// readInPages: the one piece of code every store's readAll and readCategory
// are, checked against a page reader that records what it was asked.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type MessagePage,
  pageOf,
  readInPages,
  type ReadPageOptions,
  ValidationError,
} from "../../core/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { inspect } from "node:util";
import { createMemoryStore } from "../../mod.ts";

interface Item {
  readonly globalPosition: bigint;
}

/** A reader over positions 1..count that records each request. */
function reader(count: number) {
  const asked: ReadPageOptions[] = [];
  return {
    asked,
    readPage(options: ReadPageOptions): Promise<MessagePage<Item>> {
      asked.push(options);
      const from = options.from ?? 0n;
      const limit = options.limit ?? 1000;
      const items: Item[] = [];
      for (let p = from < 1n ? 1n : from; p <= BigInt(count) && items.length < limit; p++) {
        items.push({ globalPosition: p });
      }
      return Promise.resolve(pageOf(items, from, limit));
    },
  };
}

describe("readInPages()", () => {
  it("reads page after page from each page's next, until a short page", async () => {
    const r = reader(7);
    const read = await readInPages(r, "order", { pageSize: 3, types: ["A"] }).toArray();
    assert.deepEqual(read.map((m) => m.globalPosition), [1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    assert.deepEqual(r.asked, [
      { category: "order", from: 0n, limit: 3, types: ["A"] },
      { category: "order", from: 4n, limit: 3, types: ["A"] },
      { category: "order", from: 7n, limit: 3, types: ["A"] },
    ]);
  });

  it("asks for no more than the limit left, and stops at the limit", async () => {
    const r = reader(100);
    const read = await readInPages(r, undefined, { from: 10n, limit: 5, pageSize: 3 }).toArray();
    assert.deepEqual(read.map((m) => m.globalPosition), [10n, 11n, 12n, 13n, 14n]);
    assert.deepEqual(r.asked.map((o) => [o.from, o.limit]), [[10n, 3], [13n, 2]]);
  });

  it("yields every message for any store size, page size and limit, each once, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(50),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        fc.boolean(),
        async (count, pageSize, limit, readAhead) => {
          const read = await readInPages(reader(count), undefined, { pageSize, limit }, {
            readAhead,
          }).toArray();
          const expected = Array.from(
            { length: Math.min(count, limit ?? Infinity) },
            (_, i) => BigInt(i + 1),
          );
          assert.deepEqual(read.map((m) => m.globalPosition), expected);
        },
      ),
      propertyParameters(200),
    );
  });

  it("throws a ValidationError at the call on bad options, before reading", () => {
    const r = reader(3);
    assert.throws(() => readInPages(r, "order-1"), ValidationError);
    assert.throws(() => readInPages(r, undefined, { limit: 0 }), ValidationError);
    assert.throws(() => readInPages(r, undefined, { pageSize: 10_001 }), ValidationError);
    assert.throws(() => readInPages(r, undefined, { from: -1n }), ValidationError);
    assert.deepEqual(r.asked, []);
  });

  it("reads nothing until iterated, and stops reading when the loop breaks", async () => {
    const r = reader(10);
    const read = readInPages(r, undefined, { pageSize: 2 });
    assert.equal(r.asked.length, 0);
    for await (const m of read) if (m.globalPosition === 3n) break;
    assert.equal(r.asked.length, 2);
  });

  it("with read-ahead, asks for the next page when a page arrives, from that page's next", async () => {
    const r = reader(7);
    const iterator = readInPages(r, undefined, { pageSize: 3 }, { readAhead: true })
      [Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.globalPosition, 1n);
    // The first page is in hand and the second already asked for, before it is needed.
    assert.deepEqual(r.asked.map((o) => [o.from, o.limit]), [[0n, 3], [4n, 3]]);
    const rest: bigint[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest.push(next.value.globalPosition);
    }
    assert.deepEqual(rest, [2n, 3n, 4n, 5n, 6n, 7n]);
    // Pages of 3, 3 and 1: the short one ends it, and nothing is read past it.
    assert.deepEqual(r.asked.map((o) => o.from), [0n, 4n, 7n]);
  });

  it("with read-ahead, a failed page reaches the caller when it gets there, and not if it stops before", async () => {
    const failing = (afterPages: number) => {
      let pages = 0;
      const inner = reader(100);
      return {
        readPage(options: ReadPageOptions) {
          return ++pages > afterPages
            ? Promise.reject(new Error(`page ${pages} failed`))
            : inner.readPage(options);
        },
      };
    };
    const read: bigint[] = [];
    await assert.rejects(async () => {
      for await (
        const m of readInPages(failing(1), undefined, { pageSize: 2 }, { readAhead: true })
      ) read.push(m.globalPosition);
    }, /page 2 failed/);
    assert.deepEqual(read, [1n, 2n]);
    // Stopped in the first page: the second page's failure, read ahead, is no one's, and no
    // unhandled rejection (node:test fails the file on one).
    for await (
      const m of readInPages(failing(1), undefined, { pageSize: 2 }, { readAhead: true })
    ) if (m.globalPosition === 1n) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it("with read-ahead, a page read ahead that failed is read again by the next call, as without", async () => {
    const inner = reader(5);
    let failures = 1;
    const flaky = {
      readPage(options: ReadPageOptions) {
        if (options.from === 3n && failures-- > 0) return Promise.reject(new Error("blip"));
        return inner.readPage(options);
      },
    };
    const iterator = readInPages(flaky, undefined, { pageSize: 2 }, { readAhead: true })
      [Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.globalPosition, 1n);
    assert.equal((await iterator.next()).value?.globalPosition, 2n);
    await assert.rejects(iterator.next(), /blip/);
    const rest: bigint[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest.push(next.value.globalPosition);
    }
    assert.deepEqual(rest, [3n, 4n, 5n]);
  });
});

describe("readCategory() and readAll() taken for readStream's array, in JavaScript", () => {
  it("throw a TypeError saying it is an async iterable, and to use toArray() or for await, where a bare one or nothing at all came", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    // What a JavaScript caller writes: no compiler stops it.
    const category = (await store.readCategory("order")) as unknown as Record<string, unknown>;
    const all = store.readAll() as unknown as Record<string, unknown>;
    const said = (call: string) => (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.ok(error.message.startsWith(`${call} returns an async iterable`), error.message);
      assert.ok(error.message.includes(`await store.${call}.toArray()`), error.message);
      assert.ok(error.message.includes("for await"), error.message);
      return true;
    };
    const readCategory = 'readCategory("order")';
    assert.throws(
      () => (category.map as (f: unknown) => unknown)((m: unknown) => m),
      said(readCategory),
    );
    assert.throws(() => category.length, said(readCategory));
    assert.throws(() => Array.from(category as unknown as Iterable<unknown>), said(readCategory));
    assert.throws(() => [...(category as unknown as Iterable<unknown>)], said(readCategory));
    for (const method of ["filter", "forEach", "reduce", "find"]) {
      assert.throws(() => (category[method] as () => unknown)(), said(readCategory));
    }
    assert.throws(() => all.length, said("readAll()"));
  });

  it("still awaits to itself, iterates with for await, collects with toArray() and prints", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    const iterable = store.readCategory("order");
    assert.equal(await iterable, iterable, "not thenable: awaiting it gives it back");
    const seen: string[] = [];
    for await (const message of iterable) seen.push(message.type);
    assert.deepEqual(seen, ["OrderPlaced"]);
    assert.equal((await iterable.toArray()).length, 1);
    assert.equal(typeof inspect(iterable), "string");
  });
});
