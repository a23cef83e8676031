// Nothing silent: a consumer and a group member report each handler failure
// (with its attempt), each parked message, each storage failure being retried
// and each lease taken or lost, one line each, through their logger: by
// default the store's, which a consumer inherits unless given its own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClosedError,
  type ConsumerStorage,
  createConsoleLogger,
  createConsumer,
  createGroupConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  type Logger,
} from "../../mod.ts";
import type { ConsumerErrorContext } from "../../core/mod.ts";
import { createMemoryLeaseStore } from "../../stores/memory/mod.ts";
import { until } from "../contract/_consumer_fixtures.ts";

/** A console logger whose lines are kept, from `debug` up. */
function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: createConsoleLogger({ level: "debug", write: (line) => void lines.push(line) }),
  };
}

const NO_DELAY = { initialDelay: 0, maxDelay: 0 } as const;

describe("consumer logging", () => {
  it("a handler that keeps failing logs each attempt, then the parked message (group, id, stream, error)", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore();
    await store.append("order-7", [{ type: "OrderPlaced", data: {} }]);
    const [message] = await store.readAll().toArray();
    const consumer = createConsumer(store, {
      group: "billing",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry: { maxAttempts: 3, ...NO_DELAY },
      logger,
      handler: () => {
        throw new RangeError("no stock");
      },
    });
    await consumer.caughtUp;
    await consumer.close();
    const where =
      `group="billing" partition=0 messageId="${message.id}" type="OrderPlaced" stream="order-7"`;
    assert.deepEqual(lines, [
      `ordo error: Handler failed ${where} attempt=1 error="RangeError: no stock"`,
      `ordo error: Handler failed ${where} attempt=2 error="RangeError: no stock"`,
      `ordo error: Handler failed ${where} attempt=3 error="RangeError: no stock"`,
      `ordo warn: Message parked ${where} attempts=3 error="RangeError: no stock"`,
    ]);
  });

  it("a retry rule that throws logs Retry rule failed at error, as the transports do, then the parked message", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore();
    await store.append("order-7", [{ type: "OrderPlaced", data: {} }]);
    const [message] = await store.readAll().toArray();
    const consumer = createConsumer(store, {
      group: "billing",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry: {
        delays: () => () => {
          throw new TypeError("broken rule");
        },
      },
      logger,
      handler: () => {
        throw new RangeError("no stock");
      },
    });
    await consumer.caughtUp;
    await consumer.close();
    const where =
      `group="billing" partition=0 messageId="${message.id}" type="OrderPlaced" stream="order-7"`;
    assert.deepEqual(lines, [
      `ordo error: Handler failed ${where} attempt=1 error="RangeError: no stock"`,
      `ordo error: Retry rule failed; parking the message group="billing" partition=0 messageId="${message.id}" error="TypeError: broken rule"`,
      `ordo warn: Message parked ${where} attempts=1 error="RangeError: no stock"`,
    ]);
  });

  it("a replay that fails again logs that it was a replay, its attempt and that the message stays parked, and tells onError, asked through the API or the control link", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore();
    await store.append("order-7", [{ type: "OrderPlaced", data: {} }]);
    const [message] = await store.readAll().toArray();
    const storage = createMemoryConsumerStorage();
    const told: [string, ConsumerErrorContext][] = [];
    const consumer = createConsumer(store, {
      group: "billing",
      source: { category: "order" },
      storage,
      retry: { maxAttempts: 2, ...NO_DELAY },
      controlInterval: 10,
      logger,
      onError: (error, context) => void told.push([(error as Error).message, context]),
      handler: () => {
        throw new RangeError("no stock");
      },
    });
    await consumer.caughtUp;
    lines.length = 0;
    told.length = 0;
    const where =
      `group="billing" partition=0 messageId="${message.id}" type="OrderPlaced" stream="order-7"`;
    assert.equal((await consumer.replayParked(message.id)).outcome, "failed");
    await storage.control!.requestReplay("billing", message.id);
    await until(async () => (await consumer.getParked(message.id))?.attempts === 4, "replay");
    await consumer.close();
    const failed = (attempt: number) =>
      `ordo error: Replay failed; the message stays parked ${where} attempt=${attempt} outcome="failed" error="RangeError: no stock"`;
    assert.deepEqual(lines, [failed(3), failed(4)]);
    assert.deepEqual(
      told.map(([error, { phase, partition, message, attempt }]) => [
        error,
        phase,
        partition,
        message?.id,
        attempt,
      ]),
      [["no stock", "handler", 0, message.id, 3], ["no stock", "handler", 0, message.id, 4]],
    );
  });

  it("a replay that succeeds, or finds nothing parked, logs one info line (group, id, outcome), asked through the API or the control link", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore();
    await store.append("order-7", [{ type: "OrderPlaced", data: {} }]);
    await store.append("order-8", [{ type: "OrderPlaced", data: {} }]);
    const [first, second] = await store.readAll().toArray();
    const storage = createMemoryConsumerStorage();
    let failing = true;
    const consumer = createConsumer(store, {
      group: "billing",
      source: { category: "order" },
      storage,
      retry: { maxAttempts: 1, ...NO_DELAY },
      controlInterval: 10,
      logger,
      handler: () => {
        if (failing) throw new RangeError("no stock");
      },
    });
    await consumer.caughtUp;
    failing = false;
    lines.length = 0;
    assert.equal((await consumer.replayParked(first.id)).outcome, "replayed");
    await storage.control!.requestReplay("billing", second.id);
    await until(async () => (await consumer.getParked(second.id)) === undefined, "replay");
    assert.equal((await consumer.replayParked(first.id)).outcome, "not-parked");
    await consumer.close();
    const replayed = (m: typeof first) =>
      `ordo info: Parked message replayed group="billing" partition=0 messageId="${m.id}" type="OrderPlaced" stream="${m.streamName}" attempt=2 outcome="replayed"`;
    assert.deepEqual(lines.filter((line) => /replay/i.test(line)), [
      replayed(first),
      replayed(second),
      `ordo info: Replay asked for a message that is not parked group="billing" messageId="${first.id}" outcome="not-parked"`,
    ]);
  });

  it("a hook of the caller's that throws (onPage) stops the consumer: logged, and caughtUp and done reject with it", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore();
    await store.append("order-7", [{ type: "OrderPlaced", data: {} }]);
    const consumer = createConsumer(store, {
      group: "billing",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      logger,
      handler: () => {},
      onPage: () => {
        throw new RangeError("onPage broke");
      },
    });
    await assert.rejects(
      consumer.caughtUp,
      (e) => e instanceof RangeError && e.message === "onPage broke",
    );
    await assert.rejects(consumer.done, (e) => e instanceof RangeError);
    assert.deepEqual(
      lines.filter((line) => line.includes("Consumer stopped")),
      [
        'ordo error: Consumer stopped: retrying cannot fix this error group="billing" error="RangeError: onPage broke"',
      ],
    );
  });

  it("inherits the store's logger when given none, and logs a storage failure it retries", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore({ logger });
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    const inner = createMemoryConsumerStorage();
    let failures = 1;
    const storage: ConsumerStorage = {
      ...inner,
      checkpoints: {
        load: (group, partition) => inner.checkpoints.load(group, partition),
        reset: (group) => inner.checkpoints.reset(group),
        commit: (update, work) => {
          if (failures-- > 0) return Promise.reject(new Error("connection reset"));
          return inner.checkpoints.commit(update, work as never);
        },
      },
    };
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      retry: NO_DELAY,
      handler: () => {},
    });
    await consumer.caughtUp;
    await consumer.close();
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(
      lines[0],
      /^ordo warn: Consumer storage failed; retrying group="totals" partition=0 messageId="[0-9a-f-]{36}" error="Error: connection reset"$/,
    );
    // And once it works again, how long it did not (the outage on a real server: postgres_storage_outage.test.ts).
    assert.match(lines[1], /^ordo info: Consumer storage works again group="totals" downMs=\d+$/);
  });

  it("says once that its storage fails, however many retries fail, and once that it works again; onError hears every failure", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore({ logger });
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    const inner = createMemoryConsumerStorage();
    let failures = 6;
    const storage: ConsumerStorage = {
      ...inner,
      checkpoints: {
        load: (group, partition) =>
          failures-- > 0
            ? Promise.reject(new Error("connection reset"))
            : inner.checkpoints.load(group, partition),
        reset: (group) => inner.checkpoints.reset(group),
        commit: (update, work) => inner.checkpoints.commit(update, work as never),
      },
    };
    let told = 0;
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      retry: NO_DELAY,
      controlInterval: false,
      handler: () => {},
      onError: () => void told++,
    });
    await consumer.caughtUp;
    await consumer.close();
    assert.deepEqual(lines.map((line) => line.replace(/downMs=\d+/, "downMs=N")), [
      'ordo warn: Consumer storage failed; retrying group="totals" partition=0 error="Error: connection reset"',
      'ordo info: Consumer storage works again group="totals" downMs=N',
    ]);
    assert.equal(told, 6, "each failure told to onError");
  });

  it("says once that its reads from the store work again, after failures it retried", async () => {
    const { logger, lines } = recording();
    const inner = createMemoryStore({ logger });
    await inner.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    let failures = 3;
    // The real store, its readPage failing three times (a class: its methods are bound, not spread).
    const store = new Proxy(inner, {
      get: (target, key) => {
        if (key === "readPage") {
          return (...args: Parameters<typeof inner.readPage>) =>
            failures-- > 0
              ? Promise.reject(new Error("connection reset"))
              : target.readPage(...args);
        }
        const value = target[key as keyof typeof target];
        return typeof value === "function"
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry: NO_DELAY,
      controlInterval: false,
      handler: () => {},
    });
    await consumer.caughtUp;
    await consumer.close();
    // Three failures, one outage: said when it starts and when it ends, not at every retry.
    assert.deepEqual(lines.map((line) => line.replace(/downMs=\d+/, "downMs=N")), [
      'ordo warn: Store failed; retrying group="totals" partition=0 error="Error: connection reset"',
      'ordo info: Store works again group="totals" downMs=N',
    ]);
  });

  it("a failure of the consumer's own storage work (announcing itself) names no partition", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore({ logger });
    const inner = createMemoryConsumerStorage();
    let failures = 1;
    const control = inner.control!;
    // The real control store, its announce failing once (a class: its methods are bound, not spread).
    const flaky = new Proxy(control, {
      get: (target, key) =>
        key === "announce"
          ? (...args: Parameters<typeof control.announce>) =>
            failures-- > 0
              ? Promise.reject(new Error("connection reset"))
              : target.announce(...args)
          : typeof target[key as keyof typeof target] === "function"
          ? (target[key as keyof typeof target] as (...a: unknown[]) => unknown).bind(target)
          : target[key as keyof typeof target],
    });
    const storage: ConsumerStorage = { ...inner, control: flaky };
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      handler: () => {},
    });
    await until(() => lines.some((line) => line.includes("works again")), "the lines");
    await consumer.close();
    assert.deepEqual(lines.filter((line) => line.includes("Consumer storage")), [
      'ordo warn: Consumer storage failed; retrying group="totals" error="Error: connection reset"',
      ...lines.filter((line) =>
        /^ordo info: Consumer storage works again group="totals" downMs=\d+$/.test(line)
      ),
    ]);
    assert.equal(lines.filter((line) => line.includes("works again")).length, 1);
  });

  it("a group member logs the partitions it takes, and a lease it lost to another member", async () => {
    const a = recording();
    const b = recording();
    let now = 1_000_000;
    const leases = createMemoryLeaseStore({ now: () => now });
    const store = createMemoryStore();
    const member = (name: string, logger: Logger) =>
      createGroupConsumer(store, {
        group: "shipping",
        member: name,
        source: { category: "order" },
        partitions: 1,
        storage: createMemoryConsumerStorage({ leases }),
        leaseTtl: 1000,
        heartbeatInterval: 5,
        logger,
        handler: () => {},
      });
    const first = member("a", a.logger);
    await first.caughtUp;
    assert.deepEqual(a.lines, [
      'ordo info: Partition acquired group="shipping" member="a" partition=0 token=1',
    ]);
    // "a" pauses past its lease (its clock says so too): "b" takes the partition over.
    now += 5_000;
    const second = member("b", b.logger);
    await until(() => b.lines.some((line) => line.includes("Partition acquired")), "b's lease");
    await until(() => a.lines.some((line) => line.includes("Lease lost")), "a to notice");
    assert.ok(
      a.lines.includes('ordo warn: Lease lost group="shipping" member="a" partition=0'),
      a.lines.join("\n"),
    );
    assert.ok(!a.lines.some((line) => line.includes("released")), "a lost lease is not released");
    await Promise.all([first.close(), second.close()]);
  });

  it("a group member's release and leave at stop say what happens without them, never 'retrying'; a closed storage says nothing", async () => {
    for (const failure of [new Error("connection reset"), new ClosedError("storage", "release")]) {
      const { logger, lines } = recording();
      const leases = createMemoryLeaseStore();
      // The real lease store (its methods bound: it keeps private fields), its release and leave failing.
      const failing = new Proxy(leases, {
        get: (target, key) =>
          key === "release" || key === "leave"
            ? () => Promise.reject(failure)
            : (target[key as keyof typeof target] as (...a: unknown[]) => unknown).bind(target),
      });
      const member = createGroupConsumer(createMemoryStore(), {
        group: "shipping",
        member: "a",
        source: { category: "order" },
        partitions: 1,
        storage: createMemoryConsumerStorage({ leases: failing }),
        heartbeatInterval: 5,
        logger,
        handler: () => {},
      });
      await member.caughtUp;
      await member.close();
      const warnings = lines.filter((line) => line.startsWith("ordo warn"));
      assert.deepEqual(
        warnings,
        failure instanceof ClosedError ? [] : [
          'ordo warn: Partition release failed; another member takes it when its lease expires group="shipping" member="a" partition=0 error="Error: connection reset"',
          'ordo warn: Member could not leave its group; it counts as a member until its heartbeat expires group="shipping" member="a" error="Error: connection reset"',
        ],
      );
    }
  });
});
