// Example tests of the consumer options a store-backed command loop relies on
// and any consumer may use: parkAtOnce, an async onParked, a category read
// filtered by type, and their validation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CommitMode, createConsumer } from "../../core/consumers/mod.ts";
import { ValidationError } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { batch, gate, NO_DELAY, type Rig, until, withRig } from "./_consumer_fixtures.ts";

class Refused extends Error {
  override name = "Refused";
}

export function testConsumerOptions<Tx>(options: ConsumerContractOptions<Tx>): void {
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));

  describe("createConsumer() options", () => {
    for (const commit of ["message", "after-handler"] as const satisfies CommitMode[]) {
      test(`parkAtOnce parks an error it accepts after one attempt and leaves others to retry (commit "${commit}")`, async ({ store, storage }) => {
        await store.append("order-1", batch(3));
        const [refused, flaky, fine] = await store.readAll().toArray();
        const attempts = new Map<string, number>();
        const consumer = createConsumer<Tx, CommitMode>(store, {
          group: "g",
          source: { category: "order" },
          storage,
          commit,
          retry: { maxAttempts: 3, ...NO_DELAY },
          parkAtOnce: (error) => error instanceof Refused,
          handler: (m) => {
            attempts.set(m.id, (attempts.get(m.id) ?? 0) + 1);
            if (m.id === refused.id) throw new Refused("no retry can change this");
            if (m.id === flaky.id) throw new Error("may pass later");
          },
        });
        await consumer.caughtUp;
        await consumer.stop();
        assert.deepEqual(
          [attempts.get(refused.id), attempts.get(flaky.id), attempts.get(fine.id)],
          [1, 3, 1],
        );
        const parked = await consumer.listParked();
        assert.deepEqual(parked.map((e) => [e.message.id, e.attempts, e.error.name]), [
          [refused.id, 1, "Refused"],
          [flaky.id, 3, "Error"],
        ]);
      });
    }

    test("a parkAtOnce that throws is reported and the message parked", async ({ store, storage }) => {
      await store.append("order-1", batch(1));
      const reported: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        retry: { maxAttempts: 5, ...NO_DELAY },
        parkAtOnce: () => {
          throw new TypeError("broken predicate");
        },
        onError: (error) => void reported.push((error as Error).message),
        handler: () => {
          throw new Error("handler failed");
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      assert.deepEqual(reported, ["handler failed", "broken predicate"]);
      assert.equal((await consumer.listParked())[0].attempts, 1);
    });

    test("an async onParked is awaited before the next message, and retried while it rejects", async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const [poison, next] = await store.readAll().toArray();
      const entered = gate();
      const release = gate();
      let calls = 0;
      const phases: string[] = [];
      const handled: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        retry: { maxAttempts: 1, ...NO_DELAY },
        onError: (_error, context) => void phases.push(context.phase),
        onParked: async () => {
          if (++calls === 1) throw new Error("reply not written");
          entered.open();
          await release.promise;
        },
        handler: (m) => {
          if (m.id === poison.id) throw new Error("poison");
          handled.push(m.id);
        },
      });
      await entered.promise;
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(handled, [], "the next message waits for onParked");
      release.open();
      await consumer.caughtUp;
      await consumer.stop();
      assert.deepEqual(handled, [next.id]);
      assert.deepEqual(phases, ["handler", "onParked"]);
      assert.equal(calls, 2);
    });

    test("reads a category filtered by type", async ({ store, storage }) => {
      await store.append("order-1", batch(2, 0, "A"));
      await store.append("order-2", batch(2, 0, "B"));
      await store.append("user-1", batch(1, 0, "A"));
      await store.append("order-1", batch(1, 2, "A"));
      const seen: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order", types: ["A"] },
        storage,
        handler: (m) => void seen.push(`${m.streamName}@${m.streamVersion}`),
      });
      await consumer.caughtUp;
      await store.append("order-3", [...batch(1, 0, "B"), ...batch(1, 0, "A")]);
      await until(() => seen.length === 4, "the live message");
      await consumer.stop();
      assert.deepEqual(seen, ["order-1@0", "order-1@1", "order-1@2", "order-3@1"]);
    });

    test("refuses a bad commit mode or parkAtOnce with a ValidationError naming the field", async ({ store, storage }) => {
      const base = { group: "g", source: { all: true as const }, storage, handler: () => {} };
      assert.throws(
        () => createConsumer(store, { ...base, commit: "later" as never }),
        (error) => error instanceof ValidationError && error.path === "options.commit",
      );
      assert.throws(
        () => createConsumer(store, { ...base, parkAtOnce: "yes" as never }),
        (error) => error instanceof ValidationError && error.path === "options.parkAtOnce",
      );
    });
  });
}
