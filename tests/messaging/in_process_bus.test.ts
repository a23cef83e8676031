// The bus patterns over the in-process transport, then what is particular to
// it: events reach groups in batched wake-ups, handlers that answer at once are
// called one after another in one microtask, and the first promise (or failure)
// hands a group's rest of the log to an async run. Whatever the mix, each group
// gets every event once (plus retries), in publish order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createBus } from "../../core/messaging/mod.ts";
import { silentLogger } from "../../core/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { eventually, testBusPatterns } from "./_bus_suite.ts";

testBusPatterns({
  name: "the in-process transport",
  create: async () => ({ transport: createInProcessTransport({ logger: silentLogger }) }),
  durableCheckpoints: false,
  propertyRuns: 50,
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
