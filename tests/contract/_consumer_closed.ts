// Closed means closed, for consumers: after close(), the parked-message calls
// reject with ClosedError and the storage is written no more (a counting
// wrapper says so), the handler runs no more, stop() and close() resolve
// again; close() waits for a replay in flight.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Consumer, type ConsumerStorage, createConsumer } from "../../core/consumers/mod.ts";
import { ClosedError, silentLogger } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { batch, gate, NO_DELAY, until, withRig } from "./_consumer_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";

/** The storage, with every write of its parts counted. */
function countingWrites<Tx>(storage: ConsumerStorage<Tx>): {
  storage: ConsumerStorage<Tx>;
  writes: string[];
} {
  const writes: string[] = [];
  const count = <T extends object>(part: T, name: string, methods: readonly (keyof T)[]): T =>
    new Proxy(part, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (methods.includes(key as keyof T)) writes.push(`${name}.${String(key)}`);
          return value.apply(target, args);
        };
      },
    });
  return {
    writes,
    storage: {
      ...storage,
      checkpoints: count(storage.checkpoints, "checkpoints", ["commit", "reset"]),
      parked: count(storage.parked, "parked", ["park", "remove"]),
      processed: count(storage.processed, "processed", ["record"]),
      leases: count(storage.leases, "leases", ["heartbeat", "acquire", "release", "leave"]),
    },
  };
}

type Call = [string, (consumer: Consumer, id: string) => Promise<unknown>];

const call: fc.Arbitrary<Call> = fc.constantFrom<Call>(
  ["listParked", (c) => c.listParked()],
  ["getParked", (c, id) => c.getParked(id)],
  ["replayParked", (c, id) => c.replayParked(id)],
  ["replayAllParked", (c) => c.replayAllParked()],
  ["stop", (c) => c.stop()],
  ["close", (c) => c.close()],
);

export function testConsumerClosed<Tx>(options: ConsumerContractOptions<Tx>): void {
  describe("Consumer.close()", () => {
    it("after close(), any sequence of calls is refused with ClosedError, the handler runs no more and the storage is not written (property)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(call, { minLength: 1, maxLength: 8 }),
          (calls) =>
            withRig(options, async ({ store, storage: inner }) => {
              const { storage, writes } = countingWrites(inner);
              await store.append("order-1", batch(2));
              const [poison] = await store.readAll().toArray();
              let handled = 0;
              const consumer = createConsumer(store, {
                group: "g",
                source: { category: "order" },
                storage,
                retry: { maxAttempts: 1, ...NO_DELAY },
                logger: silentLogger,
                handler: (m) => {
                  handled++;
                  if (m.id === poison.id) throw new Error("poison");
                },
              });
              await consumer.caughtUp;
              await consumer.close();
              const [seen, written] = [handled, writes.length];
              await store.append("order-1", batch(1, 2));
              for (const [name, run] of calls) {
                if (name === "stop" || name === "close") await run(consumer, poison.id);
                else await assert.rejects(run(consumer, poison.id), ClosedError, name);
              }
              await new Promise((resolve) => setTimeout(resolve, 10));
              assert.equal(handled, seen, "the handler ran after close()");
              assert.deepEqual(writes.slice(written), [], "the storage was written after close()");
            }),
        ),
        propertyParameters(Math.max(3, Math.floor((options.propertyRuns ?? 50) / 5))),
      );
    });

    it("close() waits for a replay in flight", () =>
      withRig(options, async ({ store, storage }) => {
        await store.append("order-1", batch(1));
        const [message] = await store.readAll().toArray();
        let fixed = false;
        const entered = gate();
        const release = gate();
        const consumer = createConsumer(store, {
          group: "g",
          source: { category: "order" },
          storage,
          commit: "after-handler",
          retry: { maxAttempts: 1, ...NO_DELAY },
          logger: silentLogger,
          handler: async () => {
            if (!fixed) throw new Error("bug");
            entered.open();
            await release.promise;
          },
        });
        await consumer.caughtUp;
        await until(async () => (await consumer.listParked()).length === 1, "the message parked");
        fixed = true;
        const replaying = consumer.replayParked(message.id);
        await entered.promise;
        let closed = false;
        const closing = consumer.close().then(() => (closed = true));
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(closed, false, "close() resolved with a replay in flight");
        release.open();
        assert.equal((await replaying).outcome, "replayed");
        await closing;
      }));
  });
}
