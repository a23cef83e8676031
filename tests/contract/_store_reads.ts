// Example tests of the global reads: readPage, the primitive every adapter
// implements, and readAll / readCategory, which iterate every message to the
// end in pages (no silent limit).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EventStore } from "../../mod.ts";
import { isStrictlyIncreasing, message, messages, readEverything, withStore } from "./_fixtures.ts";
import type { StoreContractOptions } from "./store.ts";

export function testStoreReads(options: StoreContractOptions): void {
  const test = (name: string, body: (store: EventStore) => Promise<void>) =>
    it(name, async () => {
      await withStore(options, body);
    });

  describe("readCategory()", () => {
    test("reads every stream of the category, and only those, in global order", async (store) => {
      await store.append("order-1", messages(1));
      await store.append("orderline-1", messages(1));
      await store.append("order-2", messages(2));
      await store.append("user-1", messages(1));
      await store.append("order-1", messages(1));
      const read = await store.readCategory("order").toArray();
      assert.deepEqual(read.map((m) => [m.streamName, m.streamVersion]), [
        ["order-1", 0],
        ["order-2", 0],
        ["order-2", 1],
        ["order-1", 1],
      ]);
      assert.ok(isStrictlyIncreasing(read.map((m) => m.globalPosition)));
    });

    test("reads from a position, inclusive, with a limit and a type filter", async (store) => {
      await store.append("order-1", [message("A"), message("B"), message("A"), message("B")]);
      const all = await store.readCategory("order").toArray();
      const from = await store.readCategory("order", { from: all[1].globalPosition, limit: 2 })
        .toArray();
      assert.deepEqual(from.map((m) => m.id), [all[1].id, all[2].id]);
      const onlyB = await store.readCategory("order", { types: ["B"] }).toArray();
      assert.deepEqual(onlyB.map((m) => m.id), [all[1].id, all[3].id]);
      const limitedB = await store.readCategory("order", { types: ["B"], limit: 1 }).toArray();
      assert.deepEqual(limitedB.map((m) => m.id), [all[1].id]);
    });

    test("reads an unknown category as empty", async (store) => {
      assert.deepEqual(await store.readCategory("nothing").toArray(), []);
    });

    test("iterates with for await, page by page, past the default page size", async (store) => {
      for (let i = 0; i < 3; i++) await store.append(`order-${i}`, messages(500));
      await store.append("user-1", messages(10));
      let count = 0;
      let last = 0n;
      for await (const m of store.readCategory("order")) {
        assert.ok(m.globalPosition > last, "in global order");
        last = m.globalPosition;
        count++;
      }
      assert.equal(count, 1500, "every message, not the first 1000");
    });
  });

  describe("readAll()", () => {
    test("reads the whole store in global order from a position with a limit", async (store) => {
      await store.append("order-1", messages(2));
      await store.append("user-1", messages(2));
      const all = await readEverything(store);
      assert.equal(all.length, 4);
      assert.ok(isStrictlyIncreasing(all.map((m) => m.globalPosition)));
      assert.deepEqual(all.map((m) => m.streamName), ["order-1", "order-1", "user-1", "user-1"]);
      const page = await store.readAll({ from: all[1].globalPosition, limit: 2 }).toArray();
      assert.deepEqual(page.map((m) => m.id), [all[1].id, all[2].id]);
      assert.deepEqual(await store.readAll({ from: all[3].globalPosition + 1n }).toArray(), []);
    });

    test("filters by message type", async (store) => {
      await store.append("order-1", [message("A"), message("B")]);
      await store.append("user-1", [message("C"), message("A")]);
      const read = await store.readAll({ types: ["A", "C"] }).toArray();
      assert.deepEqual(read.map((m) => m.type), ["A", "C", "A"]);
    });

    test("yields every message without a limit, and `limit` in all across pages", async (store) => {
      await store.append("order-1", messages(1200));
      assert.equal((await store.readAll().toArray()).length, 1200);
      const some = await store.readAll({ limit: 7, pageSize: 3 }).toArray();
      assert.deepEqual(some.map((m) => m.data), [0, 1, 2, 3, 4, 5, 6].map((n) => ({ n })));
      const typed = await store.readAll({ types: ["Happened"], pageSize: 10 }).toArray();
      assert.equal(typed.length, 1200);
    });

    test("reads again from the start on each iteration", async (store) => {
      await store.append("order-1", messages(3));
      const read = store.readAll({ pageSize: 2 });
      assert.equal((await read.toArray()).length, 3);
      await store.append("order-1", messages(1));
      assert.equal((await read.toArray()).length, 4);
    });

    test("stops with the signal's reason once aborted, before the next page", async (store) => {
      await store.append("order-1", messages(10));
      const controller = new AbortController();
      const reason = new Error("enough");
      const seen: number[] = [];
      await assert.rejects(
        async () => {
          for await (const m of store.readAll({ pageSize: 3, signal: controller.signal })) {
            seen.push(m.streamVersion);
            if (seen.length === 4) controller.abort(reason);
          }
        },
        (error) => error === reason,
      );
      assert.deepEqual(seen, [0, 1, 2, 3]);
    });

    test("rejects at once with a signal already aborted", async (store) => {
      await store.append("order-1", messages(1));
      const signal = AbortSignal.abort(new Error("no"));
      await assert.rejects(store.readAll({ signal }).toArray(), /no/);
    });
  });

  describe("readPage()", () => {
    test("returns a page, the position after it, and whether it reached the head", async (store) => {
      await store.append("order-1", messages(5));
      await store.append("user-1", messages(2));
      const all = await readEverything(store);
      const first = await store.readPage({ limit: 3 });
      assert.deepEqual(first.messages.map((m) => m.id), all.slice(0, 3).map((m) => m.id));
      assert.equal(first.next, all[2].globalPosition + 1n);
      assert.equal(first.end, false);
      const rest = await store.readPage({ from: first.next, limit: 10 });
      assert.deepEqual(rest.messages.map((m) => m.id), all.slice(3).map((m) => m.id));
      assert.equal(rest.next, all[6].globalPosition + 1n);
      assert.equal(rest.end, true);
      const empty = await store.readPage({ from: rest.next });
      assert.deepEqual(empty, { messages: [], next: rest.next, end: true });
    });

    test("reads one category, with a type filter, 1000 a page by default", async (store) => {
      await store.append("order-1", [message("A"), message("B"), message("A")]);
      await store.append("user-1", [message("A")]);
      const page = await store.readPage({ category: "order", types: ["A"] });
      assert.deepEqual(page.messages.map((m) => [m.streamName, m.streamVersion]), [
        ["order-1", 0],
        ["order-1", 2],
      ]);
      assert.equal(page.end, true);
      await store.append("order-2", messages(1200));
      const full = await store.readPage({ category: "order" });
      assert.equal(full.messages.length, 1000);
      assert.equal(full.end, false);
      assert.equal(full.next, full.messages[999].globalPosition + 1n);
    });
  });
}
