import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  type RebuildProgress,
  rebuildProjection,
} from "../../core/consumers/mod.ts";
import { createMemoryStore, silentLogger } from "../../mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";

async function seeded(count: number) {
  const store = createMemoryStore();
  for (let i = 0; i < count; i++) {
    await store.append(`order-${i % 7}`, [{ type: "OrderPlaced", data: { total: i } }]);
  }
  await store.append("user-1", [{ type: "Registered", data: {} }]);
  return store;
}

describe("rebuildProjection()", () => {
  it("resets the checkpoint and the read model, replays from the start and reports progress to completion", async () => {
    const store = await seeded(250);
    const storage = createMemoryConsumerStorage();
    const totals = new Map<string, number>();
    const handler = (
      m: { streamName: string; data: unknown },
      { tx }: { tx: { onCommit(f: () => void): void } },
    ) =>
      tx.onCommit(() =>
        totals.set(
          m.streamName,
          (totals.get(m.streamName) ?? 0) + (m.data as { total: number }).total,
        )
      );
    // A first pass, then damage the read model: the rebuild must fix it.
    const live = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      handler,
    });
    await live.caughtUp;
    await live.stop();
    const expected = new Map(totals);
    totals.set("order-0", -1);
    let resets = 0;
    const seen: RebuildProgress[] = [];
    const result = await rebuildProjection(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      batchSize: 40,
      handler,
      reset: () => {
        resets++;
        totals.clear();
      },
      onProgress: (p) => void seen.push(p),
    });
    assert.equal(resets, 1);
    assert.deepEqual(totals, expected);
    assert.equal(result.processed, 250);
    assert.equal(result.fraction, 1);
    assert.equal(result.etaMs, 0);
    assert.ok(seen.length >= 250 / 40, "progress after every page");
    for (let i = 1; i < seen.length; i++) {
      assert.ok(
        seen[i].processed >= seen[i - 1].processed && seen[i].fraction >= seen[i - 1].fraction,
        "progress only grows",
      );
    }
    for (const p of seen) {
      assert.ok(p.fraction >= 0 && p.fraction <= 1 && p.rate >= 0 && p.total >= p.processed);
      if (p.processed > 0) assert.ok(p.etaMs !== undefined && p.etaMs >= 0);
    }
    assert.equal(await storage.checkpoints.load("totals", 0), result.position);
  });

  it("reports each page's progress once: the empty pages read at the end repeat nothing", async () => {
    // 80 messages in pages of 40: the page after the last full one is empty.
    const store = await seeded(80);
    const seen: RebuildProgress[] = [];
    await rebuildProjection(store, {
      group: "once",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      batchSize: 40,
      handler: () => {},
      onProgress: (p) => void seen.push(p),
    });
    assert.deepEqual(seen.map((p) => p.processed), [40, 80]);
  });

  it("gives an exact total for all and for a stream", async () => {
    const store = await seeded(30);
    const all = await rebuildProjection(store, {
      group: "a",
      source: { all: true },
      storage: createMemoryConsumerStorage(),
      batchSize: 7,
      handler: () => {},
    });
    assert.deepEqual([all.processed, all.total], [31, 31]);
    const stream: RebuildProgress[] = [];
    const streamResult = await rebuildProjection(store, {
      group: "s",
      source: { stream: "order-0" },
      storage: createMemoryConsumerStorage(),
      batchSize: 2,
      handler: () => {},
      onProgress: (p) => void stream.push(p),
    });
    assert.ok(stream.every((p) => p.total === 5));
    assert.equal(stream[stream.length - 1].processed, 5);
    // position and target are both checkpoints (one past the last message, by
    // global position or by stream version), so a finished rebuild has them equal.
    assert.deepEqual([all.position, all.target], [32n, 32n]);
    assert.deepEqual([streamResult.position, streamResult.target], [5n, 5n]);
  });

  it("target is a checkpoint like position: one past the last message, 0n for an empty source", async () => {
    const store = await seeded(30); // positions 1..30 in order-*, 31 in user-1
    const orders = await rebuildProjection(store, {
      group: "o",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: () => {},
    });
    assert.deepEqual([orders.position, orders.target], [31n, 31n]);
    const nothing = await rebuildProjection(store, {
      group: "n",
      source: { category: "invoice" },
      storage: createMemoryConsumerStorage(),
      handler: () => {},
    });
    assert.deepEqual([nothing.processed, nothing.target, nothing.fraction], [0, 0n, 1]);
  });

  it("from: replays only what lies at or after it, and counts progress from there", async () => {
    const store = await seeded(30); // positions 1..30 in order-*, 31 in user-1
    const seen: bigint[] = [];
    const progress: RebuildProgress[] = [];
    const result = await rebuildProjection(store, {
      group: "late",
      source: { all: true },
      storage: createMemoryConsumerStorage(),
      batchSize: 4,
      from: 21n,
      handler: (m) => void seen.push(m.globalPosition),
      onProgress: (p) => void progress.push(p),
    });
    assert.deepEqual(seen, Array.from({ length: 11 }, (_, i) => 21n + BigInt(i)));
    assert.deepEqual([result.processed, result.total, result.fraction], [11, 11, 1]);
    assert.deepEqual([result.position, result.target], [32n, 32n]);
    assert.ok(progress.every((p) => p.total === 11 && p.fraction <= 1));
    const stream: number[] = [];
    await rebuildProjection(store, {
      group: "late-stream",
      source: { stream: "order-0" },
      storage: createMemoryConsumerStorage(),
      from: 3n,
      handler: (m) => void stream.push(m.streamVersion),
    });
    assert.deepEqual(stream, [3, 4]);
    await assert.rejects(
      rebuildProjection(store, {
        group: "g",
        source: { all: true },
        storage: createMemoryConsumerStorage(),
        from: 3 as never,
        handler: () => {},
      }),
      /options\.from/,
    );
  });

  for (const commit of [undefined, "message"] as const) {
    it(`stops early when aborted; the checkpoint and the result say how far it got (commit ${commit ?? "by default"})`, async () => {
      const store = await seeded(50);
      const storage = createMemoryConsumerStorage();
      const controller = new AbortController();
      let handled = 0;
      const result = await rebuildProjection(store, {
        group: "g",
        source: { category: "order" },
        storage,
        batchSize: 5,
        ...(commit === undefined ? {} : { commit }),
        signal: controller.signal,
        handler: () => {
          if (++handled === 12) controller.abort();
        },
      });
      // Per page (the default), the page in progress (messages 11 to 15) finishes and commits.
      const last = commit === "message" ? 12 : 15;
      assert.equal(handled, last);
      assert.ok(result.fraction < 1);
      const messages = await store.readCategory("order").toArray();
      const checkpoint = messages[last - 1].globalPosition + 1n;
      assert.equal(await storage.checkpoints.load("g", 0), checkpoint);
      // The page the abort came during committed: it is reported too.
      assert.deepEqual([result.processed, result.position], [last, checkpoint]);
    });
  }

  it("reports the messages of a page committed before an abort that came while one waited to retry", async () => {
    const store = await seeded(50);
    const storage = createMemoryConsumerStorage();
    const controller = new AbortController();
    const messages = await store.readCategory("order").toArray();
    const result = await rebuildProjection(store, {
      group: "g",
      source: { category: "order" },
      storage,
      batchSize: 5,
      commit: "message",
      logger: silentLogger,
      retry: { initialDelay: 60_000, maxDelay: 60_000 },
      signal: controller.signal,
      handler: (m) => {
        if (m.id !== messages[12].id) return;
        controller.abort();
        throw new Error("bug");
      },
    });
    const checkpoint = messages[11].globalPosition + 1n;
    assert.equal(await storage.checkpoints.load("g", 0), checkpoint);
    assert.deepEqual([result.processed, result.position], [12, checkpoint]);
  });

  it("counts the messages it parked, each once, and still calls the caller's onParked", async () => {
    const store = await seeded(20);
    const messages = await store.readCategory("order").toArray();
    const poison = new Set([messages[3].id, messages[14].id]);
    const told: string[] = [];
    let refusals = 1;
    const result = await rebuildProjection(store, {
      group: "g",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      batchSize: 5,
      logger: silentLogger,
      retry: { maxAttempts: 1, initialDelay: 0, maxDelay: 0 },
      handler: (m) => {
        if (poison.has(m.id)) throw new Error("bug");
      },
      // Rejects once: retried, and the message still counts once.
      onParked: (entry) => {
        told.push(entry.message.id);
        if (refusals-- > 0) throw new Error("mail server down");
      },
    });
    assert.deepEqual([result.processed, result.parked], [20, 2]);
    assert.deepEqual(told, [messages[3].id, messages[3].id, messages[14].id]);
  });

  it("rejects with the failure that stopped it (an onProgress that throws), never a partial result that looks finished", async () => {
    const store = await seeded(30);
    let calls = 0;
    await assert.rejects(
      rebuildProjection(store, {
        group: "g",
        source: { category: "order" },
        storage: createMemoryConsumerStorage(),
        batchSize: 5,
        logger: silentLogger,
        handler: () => {},
        onProgress: (p) => {
          calls++;
          // What a newcomer writes: JSON.stringify throws on the bigint positions.
          if (p.processed >= 10) JSON.stringify(p);
        },
      }),
      (e) => e instanceof TypeError && /BigInt/i.test(e.message),
    );
    assert.equal(calls, 2);
  });

  it("measures a category's progress against its last message, not the store's head", async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 10; i++) {
      await store.append(`order-${i}`, [{ type: "OrderPlaced", data: { total: i } }]);
    }
    for (let i = 0; i < 90; i++) await store.append(`user-${i}`, [{ type: "Joined", data: {} }]);
    const seen: RebuildProgress[] = [];
    const result = await rebuildProjection(store, {
      group: "g",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      batchSize: 5,
      handler: () => {},
      onProgress: (p) => void seen.push(p),
    });
    assert.equal(result.target, 11n, "one past the category's newest message");
    assert.deepEqual([seen[0].processed, seen[0].fraction, seen[0].total], [5, 0.5, 10]);
    assert.deepEqual([result.processed, result.fraction], [10, 1]);
  });

  it("commits once per page by default, and once per message when asked", async () => {
    const store = await seeded(100);
    const commits = async (commit?: "message") => {
      const inner = createMemoryConsumerStorage();
      let count = 0;
      const storage = {
        ...inner,
        checkpoints: {
          ...inner.checkpoints,
          load: inner.checkpoints.load.bind(inner.checkpoints),
          reset: inner.checkpoints.reset.bind(inner.checkpoints),
          commit: (...args: Parameters<typeof inner.checkpoints.commit>) => {
            count++;
            return inner.checkpoints.commit(...args);
          },
        },
      };
      const result = await rebuildProjection(store, {
        group: "g",
        source: { category: "order" },
        storage,
        batchSize: 25,
        ...(commit === undefined ? {} : { commit }),
        handler: () => {},
      });
      assert.equal(result.processed, 100);
      return count;
    };
    assert.equal(await commits(), 4, "one commit per page of 25");
    assert.equal(await commits("message"), 100);
  });

  it("takes a page handler: each page at once, in its commit, the read model rebuilt", async () => {
    const store = await seeded(100);
    const storage = createMemoryConsumerStorage();
    const totals = new Map<string, number>([["order-0", -1]]);
    const sizes: number[] = [];
    const result = await rebuildProjection(store, {
      group: "g",
      source: { category: "order" },
      storage,
      batchSize: 30,
      reset: () => totals.clear(),
      pageHandler: (page, { tx }) => {
        sizes.push(page.length);
        tx.onCommit(() => {
          for (const m of page) {
            const total = (m.data as { total: number }).total;
            totals.set(m.streamName, (totals.get(m.streamName) ?? 0) + total);
          }
        });
      },
    });
    assert.equal(result.processed, 100);
    assert.deepEqual(sizes, [30, 30, 30, 10]);
    const expected = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      expected.set(`order-${i % 7}`, (expected.get(`order-${i % 7}`) ?? 0) + i);
    }
    assert.deepEqual(totals, expected);
  });
});
