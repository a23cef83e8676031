// Example tests, one or more per guarantee of the EventStore port.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConcurrencyError, DuplicateMessageError, type EventStore } from "../../mod.ts";
import { isStrictlyIncreasing, message, messages, snapshot, withStore } from "./_fixtures.ts";
import type { StoreContractOptions } from "./store.ts";

export function testStoreExamples(options: StoreContractOptions): void {
  const test = (name: string, body: (store: EventStore) => Promise<void>) =>
    it(name, async () => {
      await withStore(options, body);
    });

  describe("append()", () => {
    test("numbers a new stream's messages from version 0 with growing global positions", async (store) => {
      const result = await store.append("order-1", messages(3));
      assert.deepEqual(result.positions.map((p) => p.streamVersion), [0, 1, 2]);
      assert.equal(result.streamVersion, 2);
      assert.equal(result.deduplicated, false);
      assert.ok(isStrictlyIncreasing(result.positions.map((p) => p.globalPosition)));
      assert.equal(result.globalPosition, result.positions[2].globalPosition);
      const more = await store.append("order-1", messages(2));
      assert.deepEqual(more.positions.map((p) => p.streamVersion), [3, 4]);
      assert.ok(more.positions[0].globalPosition > result.globalPosition);
    });

    test("keeps versions per stream, positions across the store", async (store) => {
      const a = await store.append("order-1", messages(1));
      const b = await store.append("order-2", messages(1));
      const c = await store.append("order-1", messages(1));
      assert.deepEqual([a.streamVersion, b.streamVersion, c.streamVersion], [0, 0, 1]);
      assert.ok(a.globalPosition < b.globalPosition && b.globalPosition < c.globalPosition);
    });

    test("returns the stored data, metadata and a timestamp", async (store) => {
      const input = {
        id: crypto.randomUUID(),
        type: "OrderPlaced",
        data: {
          total: 12.5,
          items: [{ sku: "a", qty: 2 }],
          note: null,
          gift: false,
          text: "ünï ✓",
        },
        metadata: { correlationId: "c-1", causationId: "c-0", schemaVersion: 2, tenant: "acme" },
      };
      await store.append("order-1", [input]);
      const [stored] = await store.readStream("order-1");
      assert.equal(stored.id, input.id);
      assert.equal(stored.type, "OrderPlaced");
      assert.deepEqual(stored.data, input.data);
      assert.equal(stored.metadata.correlationId, "c-1");
      assert.equal(stored.metadata.causationId, "c-0");
      assert.equal(stored.metadata.schemaVersion, 2);
      assert.equal(stored.metadata.tenant, "acme");
      assert.ok(!Number.isNaN(Date.parse(stored.metadata.timestamp)), "the store sets a timestamp");
      assert.equal(stored.streamName, "order-1");
    });

    test("keeps a timestamp the writer gave", async (store) => {
      const timestamp = "2020-01-02T03:04:05.678Z";
      await store.append("order-1", [{ ...message(), metadata: { timestamp } }]);
      const [stored] = await store.readStream("order-1");
      assert.equal(stored.metadata.timestamp, timestamp);
    });

    test("stores a copy: changing the writer's object later changes nothing", async (store) => {
      const data = { items: ["a"], total: 1 };
      await store.append("order-1", [{ ...message(), data }]);
      data.items.push("b");
      data.total = 2;
      const [stored] = await store.readStream("order-1");
      assert.deepEqual(stored.data, { items: ["a"], total: 1 });
    });

    test("hands out messages a reader cannot change", async (store) => {
      await store.append("order-1", [message("T", { items: ["a"] })]);
      const [first] = await store.readStream("order-1");
      try {
        (first.data as { items: string[] }).items.push("b");
        (first as { type: string }).type = "Changed";
      } catch { /* frozen: throwing is fine too */ }
      const [again] = await store.readStream("order-1");
      assert.deepEqual(again.data, { items: ["a"] });
      assert.equal(again.type, "T");
    });

    test("stores a valid stream name that looks like SQL as it is", async (store) => {
      const name = "order-1');DELETE_FROM_messages;--\\x00";
      await store.append(name, messages(1));
      const [stored] = await store.readStream(name);
      assert.equal(stored.streamName, name);
      assert.equal((await store.readCategory("order").toArray()).length, 1);
      assert.equal((await store.getStreamInfo(name)).version, 0);
    });

    test("stores a __proto__ key as data, never as a prototype", async (store) => {
      const data = JSON.parse('{"__proto__": {"admin": true}, "n": 1}');
      await store.append("order-1", [{ ...message(), data }]);
      const [stored] = await store.readStream("order-1");
      assert.equal(Object.getPrototypeOf(stored.data), Object.prototype);
      assert.equal((stored.data as { admin?: boolean }).admin, undefined);
      // Key order is not compared: PostgreSQL's jsonb does not keep it.
      assert.deepEqual(Object.keys(stored.data as object).sort(), ["__proto__", "n"]);
      assert.deepEqual(Object.getOwnPropertyDescriptor(stored.data, "__proto__")?.value, {
        admin: true,
      });
    });

    test("gives a message without an id a fresh UUID", async (store) => {
      const result = await store.append("order-1", [{ type: "T", data: {} }, {
        type: "T",
        data: {},
      }]);
      const [a, b] = result.positions.map((p) => p.id);
      assert.match(a, /^[0-9a-f-]{36}$/);
      assert.notEqual(a, b);
    });

    test("takes a message it recorded, appended again (a copy): its stream and positions are ignored", async (store) => {
      await store.append("order-1", messages(2));
      const recorded = await store.readStream("order-1");
      // Copied to another stream under new ids, as a migration between streams or stores does.
      const copies = recorded.map((m) => ({ ...m, id: crypto.randomUUID() }));
      const result = await store.append("archive-1", copies, { expectedVersion: "no-stream" });
      assert.deepEqual(result.positions.map((p) => p.streamVersion), [0, 1]);
      const archived = await store.readStream("archive-1");
      assert.deepEqual(archived.map((m) => [m.streamName, m.type, m.data]), [
        ["archive-1", recorded[0].type, recorded[0].data],
        ["archive-1", recorded[1].type, recorded[1].data],
      ]);
    });
  });

  describe("append() with expectedVersion", () => {
    test('"no-stream" passes for a new stream and fails once it exists', async (store) => {
      await store.append("order-1", messages(1), { expectedVersion: "no-stream" });
      await assert.rejects(
        store.append("order-1", messages(1), { expectedVersion: "no-stream" }),
        (error) => {
          assert.ok(error instanceof ConcurrencyError);
          assert.equal(error._tag, "ConcurrencyError");
          assert.equal(error.streamName, "order-1");
          assert.equal(error.expectedVersion, "no-stream");
          assert.equal(error.actualVersion, 0);
          assert.equal(
            error.message,
            'Cannot append to stream "order-1": expected no stream, current version is 0',
          );
          return true;
        },
      );
    });

    test('"exists" fails for a new stream and passes once it exists', async (store) => {
      await assert.rejects(
        store.append("order-1", messages(1), { expectedVersion: "exists" }),
        (error) => {
          assert.ok(error instanceof ConcurrencyError);
          assert.equal(error.actualVersion, undefined);
          assert.equal(
            error.message,
            'Cannot append to stream "order-1": expected an existing stream, the stream does not exist',
          );
          return true;
        },
      );
      await store.append("order-1", messages(1));
      await store.append("order-1", messages(1), { expectedVersion: "exists" });
      assert.equal((await store.getStreamInfo("order-1")).version, 1);
    });

    test("a number passes when it is the current version and rejects a stale one", async (store) => {
      await store.append("order-1", messages(2));
      await store.append("order-1", messages(1), { expectedVersion: 1 });
      await assert.rejects(
        store.append("order-1", messages(1), { expectedVersion: 1 }),
        (error) => {
          assert.ok(error instanceof ConcurrencyError);
          assert.equal(error.expectedVersion, 1);
          assert.equal(error.actualVersion, 2);
          assert.equal(
            error.message,
            'Cannot append to stream "order-1": expected version 1, current version is 2',
          );
          return true;
        },
      );
    });

    test("a number rejects an append to a stream that does not exist", async (store) => {
      await assert.rejects(
        store.append("order-1", messages(1), { expectedVersion: 0 }),
        (error) => error instanceof ConcurrencyError && error.actualVersion === undefined,
      );
    });

    test('"any" appends whatever the version', async (store) => {
      await store.append("order-1", messages(1), { expectedVersion: "any" });
      await store.append("order-1", messages(1), { expectedVersion: "any" });
      assert.equal((await store.getStreamInfo("order-1")).version, 1);
    });

    test("a refused append writes nothing", async (store) => {
      await store.append("order-1", messages(1));
      const before = await snapshot(store);
      await assert.rejects(
        store.append("order-1", messages(5), { expectedVersion: 7 }),
        ConcurrencyError,
      );
      await assert.rejects(
        store.append("order-2", messages(5), { expectedVersion: "exists" }),
        ConcurrencyError,
      );
      assert.deepEqual(await snapshot(store), before);
    });
  });

  describe("append() retried with the same ids", () => {
    test("returns the original positions and stores nothing twice", async (store) => {
      const batch = messages(3);
      const first = await store.append("order-1", batch, { expectedVersion: "no-stream" });
      await store.append("order-2", messages(1));
      const before = await snapshot(store);
      const retry = await store.append("order-1", batch, { expectedVersion: "no-stream" });
      assert.equal(retry.deduplicated, true);
      assert.deepEqual(retry.positions, first.positions);
      assert.equal(retry.streamVersion, first.streamVersion);
      assert.equal(retry.globalPosition, first.globalPosition);
      assert.deepEqual(await snapshot(store), before);
    });

    test("matches ids whatever their letter case", async (store) => {
      const batch = messages(1);
      const first = await store.append("order-1", batch);
      const retry = await store.append("order-1", [{ ...batch[0], id: batch[0].id.toUpperCase() }]);
      assert.equal(retry.deduplicated, true);
      assert.deepEqual(retry.positions, first.positions);
    });

    test("refuses a batch that only partly matches, and writes none of it", async (store) => {
      const batch = messages(2);
      await store.append("order-1", batch);
      const before = await snapshot(store);
      const fresh = message();
      await assert.rejects(store.append("order-1", [batch[0], fresh]), (error) => {
        assert.ok(error instanceof DuplicateMessageError);
        assert.equal(error._tag, "DuplicateMessageError");
        assert.equal(error.messageId, batch[0].id);
        assert.equal(error.storedStreamName, "order-1");
        assert.equal(error.storedVersion, 0);
        return true;
      });
      await assert.rejects(store.append("order-1", [batch[1], batch[0]]), DuplicateMessageError);
      assert.deepEqual(await snapshot(store), before);
    });

    test("refuses an id already stored in another stream", async (store) => {
      const [first] = messages(1);
      await store.append("order-1", [first]);
      const before = await snapshot(store);
      await assert.rejects(store.append("order-2", [first]), (error) => {
        assert.ok(error instanceof DuplicateMessageError);
        assert.equal(error.streamName, "order-2");
        assert.equal(error.storedStreamName, "order-1");
        assert.match(
          error.message,
          /^Cannot append to stream "order-2": message id ".+" is already stored in stream "order-1" at version 0$/,
        );
        return true;
      });
      assert.deepEqual(await snapshot(store), before);
    });
  });

  describe("readStream()", () => {
    test("reads forward from a version with a limit", async (store) => {
      await store.append("order-1", messages(5));
      await store.append("order-2", messages(2));
      const all = await store.readStream("order-1");
      assert.deepEqual(all.map((m) => m.streamVersion), [0, 1, 2, 3, 4]);
      assert.ok(all.every((m) => m.streamName === "order-1"));
      const page = await store.readStream("order-1", { from: 1, limit: 2 });
      assert.deepEqual(page.map((m) => m.streamVersion), [1, 2]);
      assert.deepEqual(await store.readStream("order-1", { from: 9 }), []);
    });

    test("reads backward from the end or from a version", async (store) => {
      await store.append("order-1", messages(5));
      const all = await store.readStream("order-1", { direction: "backward" });
      assert.deepEqual(all.map((m) => m.streamVersion), [4, 3, 2, 1, 0]);
      const last = await store.readStream("order-1", { direction: "backward", limit: 1 });
      assert.deepEqual(last.map((m) => m.streamVersion), [4]);
      const page = await store.readStream("order-1", { direction: "backward", from: 2, limit: 2 });
      assert.deepEqual(page.map((m) => m.streamVersion), [2, 1]);
      const past = await store.readStream("order-1", { direction: "backward", from: 50, limit: 2 });
      assert.deepEqual(past.map((m) => m.streamVersion), [4, 3]);
    });

    test("reads an absent stream as empty", async (store) => {
      assert.deepEqual(await store.readStream("order-404"), []);
      assert.deepEqual(await store.readStream("order-404", { direction: "backward" }), []);
    });
  });

  describe("getStreamInfo() and headPosition()", () => {
    test("report the last version and position", async (store) => {
      assert.equal(await store.headPosition(), 0n);
      assert.deepEqual(await store.getStreamInfo("order-1"), {
        streamName: "order-1",
        version: undefined,
        globalPosition: undefined,
      });
      await store.append("order-1", messages(3));
      const last = await store.append("user-1", messages(1));
      const info = await store.getStreamInfo("order-1");
      assert.equal(info.version, 2);
      assert.ok(info.globalPosition! < last.globalPosition);
      assert.equal(await store.headPosition(), last.globalPosition);
    });
  });

  describe("waitForAppend()", () => {
    test("resolves true at once when a message past the position exists", async (store) => {
      await store.append("order-1", messages(1));
      assert.equal(await store.waitForAppend(0n, { timeout: 1000 }), true);
    });

    test("resolves true when a later append lands", async (store) => {
      const head = await store.headPosition();
      const woken = store.waitForAppend(head, { timeout: 10_000 });
      await store.append("order-1", messages(1));
      assert.equal(await woken, true);
    });

    test("resolves false when the timeout passes first", async (store) => {
      assert.equal(await store.waitForAppend(0n, { timeout: 20 }), false);
    });

    test("rejects with the signal's reason when aborted", async (store) => {
      const controller = new AbortController();
      const waiting = store.waitForAppend(0n, { signal: controller.signal });
      const reason = new Error("stop");
      controller.abort(reason);
      await assert.rejects(waiting, (error) => error === reason);
    });
  });
}
