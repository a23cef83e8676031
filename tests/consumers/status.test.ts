// The status API, with no telemetry at all: a consumer's and a group
// member's status (position, head, lag in positions and seconds, state, last
// error, parked count, partitions held) and waitFor(position), which resolves
// once the consumer has dealt with everything up to a global position.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClosedError,
  type Consumer,
  createConsumer,
  createGroupConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  type MessageHandler,
  NotMigratedError,
  silentLogger,
  TimeoutError,
  ValidationError,
} from "../../mod.ts";
import { eventually } from "../messaging/_bus_suite.ts";

/** A handler that holds every message whose data says `hold`, until released. */
function holdingHandler(): {
  readonly handler: MessageHandler<unknown>;
  readonly held: string[];
  release(): void;
} {
  const held: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    held,
    release,
    handler: async (message) => {
      if ((message.data as { hold?: boolean }).hold === true) {
        held.push(message.id);
        await released;
      }
    },
  };
}

async function started(store: EventStore, handler: MessageHandler<unknown>): Promise<Consumer> {
  return createConsumer(store, {
    group: "totals",
    source: { category: "order" },
    storage: createMemoryConsumerStorage(),
    handler,
  });
}

describe("consumer.status()", () => {
  it("says stopped, with the error that stopped it, when retrying cannot fix it", async () => {
    const storage = createMemoryConsumerStorage();
    const unmigrated = {
      ...storage,
      checkpoints: {
        ...storage.checkpoints,
        load: () => Promise.reject(new NotMigratedError("ordo", "")),
      },
    };
    const consumer = createConsumer(createMemoryStore(), {
      group: "totals",
      source: { category: "order" },
      storage: unmigrated,
      handler: () => {},
      logger: silentLogger,
    });
    await assert.rejects(consumer.done, NotMigratedError);
    const status = await consumer.status();
    assert.equal(status.state, "stopped");
    assert.equal(status.lastError?.name, "NotMigratedError");
    assert.equal(status.lastError?.phase, "storage");
    assert.equal(status.stoppedBy?.name, "NotMigratedError");
    assert.equal(status.unread, undefined, "its store and storage can still be read");
  });

  it("answers for a consumer stopped by its store's close: stopped, by the ClosedError, from what it knew", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "A", data: {} }]);
    await store.append("order-2", [{ type: "A", data: {} }]);
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: () => {},
      logger: silentLogger,
    });
    await consumer.caughtUp;
    await store.close();
    await consumer.done;
    // It rejected with the store's ClosedError: a stopped consumer had no status to give.
    const status = await consumer.status();
    assert.equal(status.state, "stopped");
    assert.equal(status.stoppedBy?.name, "ClosedError");
    assert.match(status.stoppedBy?.message ?? "", /the store is closed/);
    assert.equal(status.lastError, undefined, "a closed store is no failure");
    assert.equal(status.unread, "head: Cannot headPosition: the store is closed");
    assert.equal(status.head, 2n, "the position it reached");
    assert.equal(status.parked, 0, "the storage is still open: read");
    assert.equal(status.lag, 0);
  });

  it("still rejects while a running consumer's store cannot be read", async () => {
    const store = createMemoryStore();
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: () => {},
      logger: silentLogger,
    });
    await consumer.caughtUp;
    const unreadable = Object.assign(new Error("down"), { name: "DownError" });
    const storage = createMemoryConsumerStorage();
    const failing = createConsumer(store, {
      group: "other",
      source: { category: "order" },
      storage: {
        ...storage,
        parked: { ...storage.parked, summary: () => Promise.reject(unreadable) },
      },
      handler: () => {},
      logger: silentLogger,
    });
    await failing.caughtUp;
    await assert.rejects(failing.status(), (error) => error === unreadable);
    await failing.stop();
    await consumer.stop();
    const stopped = await failing.status();
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stoppedBy, undefined, "stop() is no error");
    assert.equal(stopped.unread, "parked count: down");
  });

  it("says live, at the head, no lag, once caught up", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "A", data: {} }]);
    await store.append("other-1", [{ type: "B", data: {} }]);
    const consumer = await started(store, () => {});
    await consumer.caughtUp;
    const status = await consumer.status();
    await consumer.stop();
    assert.equal(status.group, "totals");
    assert.equal(status.member, undefined);
    assert.equal(status.state, "live");
    assert.equal(status.head, 2n);
    assert.equal(status.position, 2n, "the other category's message counts as dealt with");
    assert.equal(status.lag, 0);
    assert.equal(status.lagSeconds, 0);
    assert.equal(status.parked, 0);
    assert.deepEqual(status.partitions.map((p) => [p.partition, p.state]), [[0, "live"]]);
    assert.equal(typeof status.at, "string");
    const stopped = await consumer.status();
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.stoppedBy, undefined, "stop() is no error");
  });

  it("says how far behind a held handler is, in positions and seconds", async () => {
    const store = createMemoryStore();
    const { handler, held, release } = holdingHandler();
    const written = new Date(Date.now() - 5_000).toISOString();
    await store.append("order-1", [{ type: "A", data: {} }]);
    await store.append("order-2", [{
      type: "A",
      data: { hold: true },
      metadata: { timestamp: written },
    }]);
    await store.append("order-3", [{ type: "A", data: {} }, { type: "A", data: {} }]);
    const consumer = await started(store, handler);
    await eventually(() => held.length === 1, 5_000, "the held message");
    const status = await consumer.status();
    release();
    await consumer.stop();
    assert.equal(status.position, 1n);
    assert.equal(status.head, 4n);
    assert.equal(status.lag, 3);
    assert.ok(status.lagSeconds >= 5 && status.lagSeconds < 60, `lagSeconds ${status.lagSeconds}`);
    assert.equal(status.state, "catching-up");
  });

  it("reports a failing handler as retrying, with its last error, then the parked count", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "A", data: {} }]);
    let calls = 0;
    let pass!: () => void;
    const second = new Promise<void>((resolve) => (pass = resolve));
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry: { maxAttempts: 2, initialDelay: 200, maxDelay: 200, random: () => 1 },
      handler: async () => {
        if (++calls === 2) pass();
        throw new RangeError("no total");
      },
    });
    await eventually(() => calls === 1, 5_000, "the first attempt");
    const retrying = await consumer.status();
    await second;
    await consumer.caughtUp;
    const after = await consumer.status();
    await consumer.stop();
    assert.equal(retrying.state, "retrying");
    assert.deepEqual(
      { ...retrying.lastError, at: undefined },
      {
        phase: "handler",
        name: "RangeError",
        message: "no total",
        messageId: (await store.readAll().toArray())[0].id,
        attempt: 1,
        at: undefined,
      },
    );
    assert.equal(after.state, "live");
    assert.equal(after.parked, 1);
    assert.equal(typeof after.oldestParkedAt, "string");
    assert.equal(after.lag, 0, "a parked message is dealt with");
  });
});

describe("consumer.waitFor()", () => {
  it("resolves once the consumer has processed up to the position (read your own write)", async () => {
    const store = createMemoryStore();
    const totals = new Map<string, number>();
    const consumer = await started(store, (message) => {
      totals.set(message.streamName, (message.data as { total: number }).total);
    });
    await consumer.caughtUp;
    const { globalPosition } = await store.append("order-7", [{ type: "A", data: { total: 9 } }]);
    await consumer.waitFor(globalPosition, { timeout: 5_000 });
    assert.equal(totals.get("order-7"), 9);
    await consumer.waitFor(0n);
    await consumer.waitFor(globalPosition);
    await consumer.stop();
  });

  it("rejects with a TimeoutError, the signal's reason, or when the consumer stops first", async () => {
    const store = createMemoryStore();
    const { handler, held, release } = holdingHandler();
    await store.append("order-1", [{ type: "A", data: { hold: true } }]);
    const consumer = await started(store, handler);
    await eventually(() => held.length === 1, 5_000, "the held message");
    await assert.rejects(consumer.waitFor(1n, { timeout: 20 }), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.timeoutMs, 20);
      return true;
    });
    const aborting = new AbortController();
    const aborted = consumer.waitFor(1n, { signal: aborting.signal });
    aborting.abort(new Error("gave up"));
    await assert.rejects(aborted, /gave up/);
    await assert.rejects(consumer.waitFor(-1n as bigint), ValidationError);
    // A misspelt option is refused, not ignored (the wait would never time out).
    await assert.rejects(
      consumer.waitFor(1n, { timout: 20 } as never),
      (error: unknown) => error instanceof ValidationError && error.path === "options.timout",
    );
    const pending = consumer.waitFor(5n);
    release();
    await consumer.stop();
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ClosedError);
      assert.equal(
        error.message,
        'Cannot wait for consumer "totals" to reach position 5: the consumer is closed',
      );
      return true;
    });
  });
});

describe("a group member's status", () => {
  it("names the member and the partitions it holds, and waits for all of them", async () => {
    const store = createMemoryStore();
    const storage = createMemoryConsumerStorage();
    for (let i = 0; i < 8; i++) await store.append(`order-${i}`, [{ type: "A", data: {} }]);
    const member = createGroupConsumer(store, {
      group: "shipping",
      member: "m-1",
      source: { category: "order" },
      partitions: 4,
      storage,
      handler: () => {},
    });
    await member.caughtUp;
    const { globalPosition } = await store.append("order-99", [{ type: "A", data: {} }]);
    await member.waitFor(globalPosition, { timeout: 5_000 });
    const status = await member.status();
    await member.stop();
    assert.equal(status.member, "m-1");
    assert.equal(status.group, "shipping");
    assert.deepEqual(status.partitions.map((p) => p.partition), [0, 1, 2, 3]);
    assert.equal(status.state, "live");
    assert.equal(status.position, 9n);
    assert.equal(status.lag, 0);
    assert.equal((await member.status()).state, "stopped");
  });

  it("a member that holds no partition is on standby", async () => {
    const store = createMemoryStore();
    const storage = createMemoryConsumerStorage();
    const options = {
      group: "shipping",
      source: { category: "order" },
      partitions: 1,
      storage,
      heartbeatInterval: 10,
      handler: () => {},
    } as const;
    const first = createGroupConsumer(store, { ...options, member: "a" });
    await first.caughtUp;
    const second = createGroupConsumer(store, { ...options, member: "b" });
    await second.caughtUp;
    const [a, b] = [await first.status(), await second.status()];
    await Promise.all([first.stop(), second.stop()]);
    assert.deepEqual([a.state, a.partitions.length], ["live", 1]);
    assert.deepEqual([b.state, b.partitions.length], ["standby", 0]);
  });
});
