// The bus patterns over the in-process transport, then what is particular to
// it: events reach groups in batched wake-ups, handlers that answer at once are
// called one after another in one microtask, and the first promise (or failure)
// hands a group's rest of the log to an async run. Whatever the mix, each group
// gets every event once (plus retries), in publish order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createBus } from "../../core/messaging/mod.ts";
import {
  createConsoleLogger,
  type ParkedMessage,
  silentLogger,
  ValidationError,
} from "../../core/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { eventually, testBusPatterns } from "./_bus_suite.ts";

testBusPatterns({
  name: "the in-process transport",
  create: async () => ({ transport: createInProcessTransport({ logger: silentLogger }) }),
  durableCheckpoints: false,
  propertyRuns: 50,
});

describe("the in-process transport's commands", () => {
  it("a handler without retry is called once, and its error answers the sender at once", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    let calls = 0;
    bus.handleCommand("carts/add", () => {
      calls++;
      throw new RangeError("the cart is checked out");
    });
    await assert.rejects(bus.sendAndWait({ type: "carts/add", data: {} }), /checked out/);
    assert.equal(calls, 1);
    await bus.close();
  });

  it("a retry waiting out its backoff ends when the bus closes: the sender gets the last error, no other attempt", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    let calls = 0;
    bus.handleCommand("users/lock", () => {
      calls++;
      throw new RangeError(`attempt ${calls} failed`);
    }, { retry: { maxAttempts: 2, initialDelay: 60_000, maxDelay: 60_000, random: () => 0.99 } });
    const waiting = bus.sendAndWait({ type: "users/lock", data: {} }, { timeout: 120_000 })
      .then(() => "answered", (error: Error) => error.message);
    await eventually(() => calls === 1, 10_000, "the first attempt");
    const closing = bus.close().then(() => "closed");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve("still closing after 5 s"), 5_000);
    });
    assert.equal(await Promise.race([closing, late]), "closed");
    clearTimeout(timer);
    assert.match(await waiting, /attempt 1 failed/);
    assert.equal(calls, 1);
  });

  it("a command sent while no handler is registered, still waiting at close, is logged as dropped (no handler failed)", async () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ write: (line) => void lines.push(line) });
    const bus = createBus({ transport: createInProcessTransport({ logger }) });
    const receipt = await bus.send({ type: "carts/later", data: {} });
    await bus.close();
    assert.deepEqual(lines, [
      `ordo warn: Command dropped at close: no handler was registered for it group="command:carts/later" messageId="${receipt.id}" type="carts/later"`,
    ]);
  });

  it("each failed attempt is logged and told to onError; the parked command is logged too", async () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ write: (line) => void lines.push(line) });
    const errors: unknown[] = [];
    const bus = createBus({ transport: createInProcessTransport({ logger }) });
    bus.handleCommand("users/lock", () => {
      throw new RangeError("locked");
    }, { retry: { maxAttempts: 2, initialDelay: 1 }, onError: (e) => void errors.push(e) });
    await bus.send({ type: "users/lock", data: {} });
    await eventually(() => lines.some((line) => line.includes("Message parked")), 10_000, "parked");
    await bus.close();
    // Once per attempt and once parked: the failure that no sender waits for is not logged again.
    assert.deepEqual(
      lines.map((line) => /^ordo \w+: (Handler failed|Message parked)/.exec(line)?.[0]),
      [
        "ordo error: Handler failed",
        "ordo error: Handler failed",
        "ordo warn: Message parked",
      ],
    );
    assert.equal(errors.length, 2);
  });
});

describe("the in-process transport's event delivery", () => {
  it("a group subscribed after a long backlog gets all of it in order, and ready resolves once it has caught up", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    const published = 5_000; // several wake-up batches
    for (let n = 0; n < published; n++) {
      await bus.publish({ type: "orders/placed", data: { n }, stream: `order-${n % 7}` });
    }
    const seenSync: number[] = [];
    const seenAsync: number[] = [];
    const sync = bus.subscribe(
      "sync",
      ["orders/placed"],
      (event) => void seenSync.push((event.data as { n: number }).n),
    );
    const slow = bus.subscribe("async", { category: "order" }, async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      seenAsync.push((event.data as { n: number }).n);
    });
    await sync.ready;
    assert.equal(seenSync.length, published, "ready resolved before the sync group caught up");
    await slow.ready;
    assert.equal(seenAsync.length, published, "ready resolved before the async group caught up");
    const expected = Array.from({ length: published }, (_, n) => n);
    assert.deepEqual(seenSync, expected);
    assert.deepEqual(seenAsync, expected);
    await bus.close();
  });

  it("events published in one turn, without awaiting, all arrive in publish order", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    const seen: number[] = [];
    bus.subscribe(
      "audit",
      ["orders/placed"],
      (event) => void seen.push((event.data as { n: number }).n),
    );
    const receipts = await Promise.all(
      Array.from(
        { length: 300 },
        (_, n) => bus.publish({ type: "orders/placed", data: { n }, stream: "order-1" }),
      ),
    );
    await eventually(() => seen.length === 300, 10_000, "all events");
    assert.deepEqual(seen, Array.from({ length: 300 }, (_, n) => n));
    assert.deepEqual(
      receipts.map((r) => r.globalPosition),
      Array.from({ length: 300 }, (_, n) => BigInt(n + 1)),
    );
    await bus.close();
  });

  it("a handler that publishes is not re-entered: the new event comes after the one in hand", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    const log: string[] = [];
    bus.subscribe("chain", ["orders/step"], (event) => {
      const n = (event.data as { n: number }).n;
      log.push(`start ${n}`);
      if (n < 3) void bus.publish({ type: "orders/step", data: { n: n + 1 }, stream: "order-1" });
      log.push(`end ${n}`);
    });
    await bus.publish({ type: "orders/step", data: { n: 1 }, stream: "order-1" });
    await eventually(() => log.length === 6, 10_000, "the chain");
    assert.deepEqual(log, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    await bus.close();
  });

  it("stop() ends a group in the middle of its backlog: nothing is handled after it resolves", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    for (let n = 0; n < 3_000; n++) {
      await bus.publish({ type: "orders/placed", data: { n }, stream: "order-1" });
    }
    let handled = 0;
    let stopped: Promise<void> | undefined;
    const registration = bus.subscribe("stopper", ["orders/placed"], () => {
      if (++handled === 1_500) stopped = registration.stop();
    });
    await eventually(() => stopped !== undefined, 10_000, "the stop");
    await stopped;
    const atStop = handled;
    await bus.publish({ type: "orders/placed", data: { n: -1 }, stream: "order-1" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(atStop, 1_500);
    assert.equal(handled, 1_500);
    await bus.close();
  });

  it("an event its handler refuses with a ValidationError is parked after one attempt, not retried", async () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ write: (line) => void lines.push(line) });
    const bus = createBus({ transport: createInProcessTransport({ logger }) });
    const attempts: number[] = [];
    const parked: ParkedMessage[] = [];
    bus.subscribe("audit", ["orders/placed"], (_event, context) => {
      attempts.push(context.attempt);
      throw new ValidationError("event.data.orderId", 5, "must be a string");
    }, {
      retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 },
      onParked: (entry) => void parked.push(entry),
    });
    await bus.publish({ type: "orders/placed", data: { orderId: 5 }, stream: "order-1" });
    await eventually(() => parked.length === 1, 10_000, "onParked");
    // Time for a retry the policy would have allowed (its delays are at most 5 ms).
    await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.close();
    assert.deepEqual(attempts, [1]);
    assert.equal(parked[0].attempts, 1);
    assert.equal(parked[0].error.name, "ValidationError");
    assert.deepEqual(
      lines.map((line) => /^ordo \w+: (Handler failed|Message parked)/.exec(line)?.[0]),
      ["ordo error: Handler failed", "ordo warn: Message parked"],
    );
  });

  it("property: whatever mix of sync, async and failing handlers and publish bursts, each group gets every event once, in publish order", async () => {
    type Kind = "sync" | "async" | "throw-once" | "reject-once" | "timer";
    const kind = fc.constantFrom<Kind>("sync", "async", "throw-once", "reject-once", "timer");
    const burst = fc.array(fc.constantFrom("1", "2", "3"), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(burst, { minLength: 1, maxLength: 6 }),
        fc.array(kind, { minLength: 24, maxLength: 24 }),
        async (bursts, kinds) => {
          const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
          const groups = ["g1", "g2"];
          const seen = new Map(groups.map((g) => [g, [] as string[]]));
          const attempts = new Map<string, number>();
          let next = 0;
          const decide = new Map<string, Kind>();
          for (const group of groups) {
            bus.subscribe(group, { category: "order" }, (event, context) => {
              const key = `${group} ${event.id}`;
              if (!decide.has(key)) decide.set(key, kinds[next++ % kinds.length]);
              attempts.set(key, context.attempt);
              const record = () =>
                void seen.get(group)!.push(
                  `${event.streamName}#${(event.data as { seq: number }).seq}`,
                );
              switch (decide.get(key)) {
                case "sync":
                  return record();
                case "async":
                  return Promise.resolve().then(record);
                case "timer":
                  return new Promise<void>((resolve) => setTimeout(() => resolve(record()), 0));
                case "throw-once":
                  if (context.attempt === 1) throw new Error("first attempt fails");
                  return record();
                case "reject-once":
                  if (context.attempt === 1) {
                    return Promise.reject(new Error("first attempt fails"));
                  }
                  return record();
              }
            }, { retry: { maxAttempts: 2, initialDelay: 0 } });
          }
          const published: string[] = [];
          const counters = new Map<string, number>();
          for (const streams of bursts) {
            // One burst is published in one turn; the next waits for its receipts.
            await Promise.all(streams.map((s) => {
              const seq = (counters.get(s) ?? 0) + 1;
              counters.set(s, seq);
              published.push(`order-${s}#${seq}`);
              return bus.publish({ type: "orders/placed", data: { seq }, stream: `order-${s}` });
            }));
          }
          await eventually(
            () => groups.every((g) => seen.get(g)!.length >= published.length),
            20_000,
            "both groups",
          );
          await new Promise((resolve) => setTimeout(resolve, 5));
          for (const group of groups) {
            assert.deepEqual(seen.get(group), published, `group ${group}`);
          }
          for (const [key, attempt] of attempts) {
            const failsFirst = decide.get(key) === "throw-once" ||
              decide.get(key) === "reject-once";
            assert.equal(attempt, failsFirst ? 2 : 1, key);
          }
          await bus.close();
        },
      ),
      propertyParameters(60),
    );
  });
});
