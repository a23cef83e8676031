// One running consumer per group and storage object in a process: a second
// start is refused at once with a ValidationError saying what runs and what
// to do, instead of both handling every message. Group members under
// different names still share a group. docs/decisions/consumers.md, "One
// running consumer per group and storage".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  createGroupConsumer,
  rebuildProjection,
} from "../../core/consumers/mod.ts";
import { createMemoryStore, silentLogger, ValidationError } from "../../mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";

async function seeded(count: number) {
  const store = createMemoryStore({ logger: silentLogger });
  for (let i = 0; i < count; i++) {
    await store.append(`order-${i}`, [{ type: "OrderPlaced", data: { i } }]);
  }
  return store;
}

const source = { category: "order" } as const;

function refusedAt(path: string, words: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.path, path);
    assert.match(error.message, words);
    return true;
  };
}

describe("one running consumer per group and storage object", () => {
  it("refuses a second createConsumer of a running group on the same storage; the first alone handles each message", async () => {
    const store = await seeded(20);
    const storage = createMemoryConsumerStorage();
    const handled: string[] = [];
    const start = () =>
      createConsumer(store, {
        group: "totals",
        source,
        storage,
        logger: silentLogger,
        handler: (m) => void handled.push(m.id),
      });
    const first = start();
    assert.throws(start, refusedAt("options.group", /already running.*await its stop\(\)/));
    await first.caughtUp;
    assert.equal(handled.length, 20);
    assert.equal(new Set(handled).size, 20);
    // Not stopped until stop() resolved: a handler may still commit meanwhile.
    const stopping = first.stop();
    assert.throws(start, ValidationError);
    await stopping;
    const again = start();
    await again.caughtUp;
    await again.stop();
    assert.equal(handled.length, 20, "the checkpoint moved; the restart handled nothing twice");
  });

  it("lets other groups, other storage objects and a consumer that failed run", async () => {
    const store = await seeded(3);
    const storage = createMemoryConsumerStorage();
    const options = { source, logger: silentLogger, handler: () => {} };
    const a = createConsumer(store, { ...options, group: "a", storage });
    const b = createConsumer(store, { ...options, group: "b", storage });
    const other = createConsumer(store, {
      ...options,
      group: "a",
      storage: createMemoryConsumerStorage(),
    });
    const failing = createConsumer(store, {
      ...options,
      group: "c",
      storage,
      onPage: () => {
        throw new Error("boom");
      },
    });
    await assert.rejects(failing.done, /boom/);
    const restarted = createConsumer(store, { ...options, group: "c", storage });
    await Promise.all([a.stop(), b.stop(), other.stop(), restarted.stop()]);
  });

  it("lets group members under different names share a group, and refuses a second one under a running name", async () => {
    const store = await seeded(10);
    const storage = createMemoryConsumerStorage();
    const member = (name: string) =>
      createGroupConsumer(store, {
        group: "shipping",
        member: name,
        source,
        partitions: 4,
        storage,
        logger: silentLogger,
        handler: () => {},
      });
    const [a, b] = [member("a"), member("b")];
    assert.throws(() => member("a"), refusedAt("options.member", /"shipping".*its own name/));
    assert.throws(
      () =>
        createConsumer(store, {
          group: "shipping",
          source,
          storage,
          logger: silentLogger,
          handler: () => {},
        }),
      refusedAt("options.group", /member "a" of the consumer group/),
    );
    await Promise.all([a.caughtUp, b.caughtUp]);
    await a.stop();
    const a2 = member("a");
    await Promise.all([a2.stop(), b.stop()]);
  });

  it("refuses a group member while a plain consumer of the group runs", async () => {
    const store = await seeded(1);
    const storage = createMemoryConsumerStorage();
    const plain = createConsumer(store, {
      group: "g",
      source,
      storage,
      logger: silentLogger,
      handler: () => {},
    });
    assert.throws(
      () =>
        createGroupConsumer(store, {
          group: "g",
          source,
          partitions: 2,
          storage,
          logger: silentLogger,
          handler: () => {},
        }),
      refusedAt("options.group", /a consumer \(createConsumer\) of this group/),
    );
    await plain.stop();
  });

  it("refuses a rebuild while a consumer of the group runs, before it resets anything", async () => {
    const store = await seeded(5);
    const storage = createMemoryConsumerStorage();
    const live = createConsumer(store, {
      group: "totals",
      source,
      storage,
      logger: silentLogger,
      handler: () => {},
    });
    await live.caughtUp;
    let resets = 0;
    await assert.rejects(
      rebuildProjection(store, {
        group: "totals",
        source,
        storage,
        logger: silentLogger,
        handler: () => {},
        reset: () => void resets++,
      }),
      refusedAt("options.group", /rebuild.*await its stop\(\) before rebuilding/),
    );
    assert.equal(resets, 0);
    assert.equal(await storage.checkpoints.load("totals", 0), 6n, "the checkpoint was not reset");
    await live.stop();
    const result = await rebuildProjection(store, {
      group: "totals",
      source,
      storage,
      logger: silentLogger,
      handler: () => {},
      reset: () => void resets++,
    });
    assert.deepEqual([resets, result.processed], [1, 5]);
    // The rebuild's own consumer released the group when it finished.
    const after = createConsumer(store, {
      group: "totals",
      source,
      storage,
      logger: silentLogger,
      handler: () => {},
    });
    await after.stop();
  });

  it("refuses a consumer of the group while a rebuild runs", async () => {
    const store = await seeded(5);
    const storage = createMemoryConsumerStorage();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const rebuilding = rebuildProjection(store, {
      group: "totals",
      source,
      storage,
      logger: silentLogger,
      handler: async () => {
        entered();
        await held;
      },
    });
    const start = () =>
      createConsumer(store, {
        group: "totals",
        source,
        storage,
        logger: silentLogger,
        handler: () => {},
      });
    // Refused from the rebuild's first step, before its consumer started, and while it runs.
    assert.throws(start, refusedAt("options.group", /a rebuild \(rebuildProjection\)/));
    await inHandler;
    assert.throws(start, refusedAt("options.group", /already running/));
    release();
    assert.equal((await rebuilding).processed, 5);
    await start().stop();
  });

  it("refuses a second handler of one command on a store-backed transport, which would run every command twice", async () => {
    const transport = createStoreBackedTransport(createMemoryStore({ logger: silentLogger }), {
      storage: createMemoryConsumerStorage(),
      logger: silentLogger,
    });
    transport.handleCommand("orders/ship", () => ({}));
    assert.throws(
      () => transport.handleCommand("orders/ship", () => ({})),
      refusedAt("options.group", /"ordo:command:orders\/ship"/),
    );
    await transport.close();
  });
});
