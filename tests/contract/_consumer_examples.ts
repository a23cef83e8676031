// Example tests of createConsumer() against a store and a consumer storage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createConsumer, type ParkedMessage } from "../../core/consumers/mod.ts";
import { ClosedError, type RecordedMessage, ValidationError } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { batch, gate, NO_DELAY, type Rig, until, withRig } from "./_consumer_fixtures.ts";

export function testConsumerExamples<Tx>(options: ConsumerContractOptions<Tx>): void {
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));

  describe("createConsumer()", () => {
    test("catches up over several pages in global order, then resolves caughtUp", async ({ store, storage, probe }) => {
      for (let i = 0; i < 5; i++) await store.append(`order-${i % 3}`, batch(5, i * 5));
      await store.append("user-1", batch(2));
      const seen: RecordedMessage[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        batchSize: 4,
        handler: async (m, { tx }) => {
          seen.push(m);
          await probe.write(tx, m.id);
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      const expected = await store.readCategory("order").toArray();
      assert.deepEqual(seen.map((m) => m.id), expected.map((m) => m.id));
      assert.deepEqual(await probe.read(), expected.map((m) => m.id));
      assert.equal(
        await storage.checkpoints.load("g", 0),
        expected[expected.length - 1].globalPosition + 1n,
      );
    });

    test("follows live appends after catching up, including other categories' moves of the head", async ({ store, storage }) => {
      const seen: string[] = [];
      const caughtUpAt: bigint[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        handler: (m) => void seen.push(m.id),
        onCaughtUp: (position) => void caughtUpAt.push(position),
      });
      await consumer.caughtUp;
      const live = batch(3);
      await store.append("user-1", batch(2)); // moves the head without giving the consumer anything
      await store.append("order-1", live.slice(0, 2));
      await store.append("order-2", live.slice(2));
      await until(() => seen.length === 3, "live messages");
      await consumer.stop();
      assert.deepEqual(seen, live.map((m) => m.id));
      assert.ok(
        caughtUpAt.length < 20,
        `it waits for appends instead of spinning: ${caughtUpAt.length} wake-ups`,
      );
    });

    test("reads one stream in version order, with version checkpoints", async ({ store, storage }) => {
      await store.append("order-1", batch(3));
      await store.append("order-2", batch(2));
      await store.append("order-1", batch(2, 3));
      const seen: number[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { stream: "order-1" },
        storage,
        batchSize: 2,
        handler: (m) => void seen.push(m.streamVersion),
      });
      await consumer.caughtUp;
      await store.append("order-1", batch(1, 5));
      await until(() => seen.length === 6, "the live message");
      await consumer.stop();
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
      assert.equal(await storage.checkpoints.load("g", 0), 6n);
    });

    test("reads all, filtered by type", async ({ store, storage }) => {
      await store.append("order-1", batch(2, 0, "A"));
      await store.append("user-1", batch(2, 0, "B"));
      await store.append("order-2", batch(1, 0, "A"));
      const seen: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { all: true, types: ["A"] },
        storage,
        handler: (m) => void seen.push(m.streamName),
      });
      await consumer.caughtUp;
      await consumer.stop();
      assert.deepEqual(seen, ["order-1", "order-1", "order-2"]);
    });

    test("resumes from the stored checkpoint after a stop", async ({ store, storage }) => {
      await store.append("order-1", batch(5));
      const seen: number[] = [];
      const handler = (m: RecordedMessage) => void seen.push((m.data as { n: number }).n);
      const first = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        handler,
      });
      await first.caughtUp;
      await first.stop();
      await store.append("order-1", batch(3, 5));
      const second = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        handler,
      });
      await second.caughtUp;
      await second.stop();
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
    });

    test("stop() lets the handler in progress finish and stores its checkpoint", async ({ store, storage, probe }) => {
      await store.append("order-1", batch(3));
      const [first, second] = await store.readAll().toArray();
      const entered = gate();
      const release = gate();
      const seen: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        handler: async (m, { tx }) => {
          seen.push(m.id);
          if (m.id === second.id) {
            entered.open();
            await release.promise;
          }
          await probe.write(tx, m.id);
        },
      });
      await entered.promise;
      let stopped = false;
      const stopping = consumer.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(stopped, false, "stop() waits for the handler");
      release.open();
      await stopping;
      assert.deepEqual(seen, [first.id, second.id], "no message is started after stop()");
      assert.deepEqual(await probe.read(), [first.id, second.id]);
      assert.equal(await storage.checkpoints.load("g", 0), second.globalPosition + 1n);
      // A typed refusal a caller can tell apart from the error that stopped a consumer.
      await assert.rejects(
        consumer.caughtUp,
        (error) =>
          error instanceof ClosedError && /Cannot catch up: the consumer "g"/.test(error.message),
      );
    });

    test("an aborted signal stops it like stop()", async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const controller = new AbortController();
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        signal: controller.signal,
        handler: () => {},
      });
      await consumer.caughtUp;
      controller.abort();
      await consumer.done;
      // Past the last message (3n where positions count from 1 without gaps).
      const [, last] = await store.readAll().toArray();
      assert.equal(await storage.checkpoints.load("g", 0), last.globalPosition + 1n);
    });

    test("retries a failing handler with backoff, parks the message with its error and attempts, and moves on", async ({ store, storage, probe }) => {
      await store.append("order-1", batch(2));
      await store.append("order-2", batch(1, 2));
      const [, poison] = await store.readAll().toArray();
      const attempts: number[] = [];
      const parked: ParkedMessage[] = [];
      const delays: number[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        retry: { maxAttempts: 3, initialDelay: 4, random: () => 0.5 },
        onParked: (entry) => void parked.push(entry),
        onError: (_error, context) => context.phase === "handler" && delays.push(context.attempt!),
        handler: async (m, { tx, attempt }) => {
          if (m.id === poison.id) {
            attempts.push(attempt);
            throw new TypeError(`cannot handle ${m.id}`);
          }
          await probe.write(tx, m.id);
        },
      });
      await consumer.caughtUp;
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.equal(parked.length, 1);
      const entry = await consumer.getParked(poison.id);
      assert.equal(entry?.attempts, 3);
      assert.equal(entry?.error.name, "TypeError");
      assert.equal(entry?.error.message, `cannot handle ${poison.id}`);
      assert.equal(entry?.message.id, poison.id);
      assert.equal(
        (await probe.read()).length,
        2,
        "the messages after the poison one were handled",
      );
      const [, , last] = await store.readAll().toArray();
      assert.equal(await storage.checkpoints.load("g", 0), last.globalPosition + 1n);
      assert.deepEqual((await consumer.listParked()).map((e) => e.message.id), [poison.id]);
      await consumer.stop();
    });

    test("replays a parked message after a fix; a replay that fails again keeps it parked with one more attempt", async ({ store, storage, probe }) => {
      await store.append("order-1", batch(3));
      const messages = await store.readAll().toArray();
      let fixed = false;
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        retry: { maxAttempts: 2, ...NO_DELAY },
        handler: async (m, { tx }) => {
          if (!fixed && m.streamVersion !== 1) throw new Error("bug");
          await probe.write(tx, m.id);
        },
      });
      await consumer.caughtUp;
      assert.equal((await consumer.listParked()).length, 2);
      const again = await consumer.replayParked(messages[0].id);
      assert.equal(again.outcome, "failed");
      assert.equal((await consumer.getParked(messages[0].id))?.attempts, 3);
      fixed = true;
      assert.equal((await consumer.replayParked(messages[0].id)).outcome, "replayed");
      assert.equal((await consumer.replayParked(messages[0].id)).outcome, "not-parked");
      const rest = await consumer.replayAllParked();
      assert.deepEqual(rest.map((r) => [r.messageId, r.outcome]), [[messages[2].id, "replayed"]]);
      assert.deepEqual(await consumer.listParked(), []);
      assert.deepEqual(
        [...(await probe.read())].sort(),
        messages.map((m) => m.id).sort(),
        "each message took effect once",
      );
      await consumer.stop();
    });

    test('commit "page" writes a page in one transaction, and after a failure narrows it down to the failing message', async ({ store, storage, probe }) => {
      await store.append("order-1", batch(5));
      const messages = await store.readAll().toArray();
      const calls: string[] = [];
      const sent: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        batchSize: 5,
        commit: "page",
        retry: { maxAttempts: 3, ...NO_DELAY },
        handler: async (m, { tx, attempt, once }) => {
          calls.push(m.id);
          await once("email", (key) => void sent.push(key));
          await probe.write(tx, m.id);
          if (m.id === messages[2].id && attempt === 1) throw new Error("fails once");
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      assert.deepEqual(
        await probe.read(),
        messages.map((m) => m.id),
        "each message took effect once, in order",
      );
      assert.deepEqual(
        sent,
        messages.map((m) => m.id),
        "each outside effect ran once, rollback or not",
      );
      // The page ran to the failure (3 calls), then its first half [0, 1, 2] did, then the
      // halves of that: [0, 1] committed, [2] alone, retried (twice); then [3, 4] as a page.
      assert.deepEqual(calls, [0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 3, 4].map((i) => messages[i].id));
      assert.equal(await storage.checkpoints.load("g", 0), messages[4].globalPosition + 1n);
    });

    test("context.once() runs an outside effect once per message across retries", async ({ store, storage }) => {
      await store.append("order-1", batch(2));
      const sent: string[] = [];
      const consumer = createConsumer(store, {
        group: "g",
        source: { category: "order" },
        storage,
        retry: { maxAttempts: 3, ...NO_DELAY },
        handler: async (m, { once, attempt, idempotencyKey }) => {
          assert.equal(idempotencyKey, m.id);
          await once("email", (key) => void sent.push(key));
          if (attempt === 1) throw new Error("failed after the effect");
        },
      });
      await consumer.caughtUp;
      await consumer.stop();
      const ids = (await store.readAll().toArray()).map((m) => m.id);
      assert.deepEqual(sent, ids);
      assert.deepEqual(await consumer.listParked(), []);
    });

    test("refuses bad options with a ValidationError naming the field", async ({ store, storage }) => {
      const handler = () => {};
      const bad: [string, () => unknown][] = [
        [
          "options.group",
          () => createConsumer(store, { group: "", source: { all: true }, storage, handler }),
        ],
        [
          "options.source",
          () =>
            createConsumer(store, {
              group: "g",
              source: { all: true, category: "x" } as never,
              storage,
              handler,
            }),
        ],
        [
          "options.source.stream",
          () =>
            createConsumer(store, { group: "g", source: { stream: "nodash" }, storage, handler }),
        ],
        [
          "options.batchSize",
          () =>
            createConsumer(store, {
              group: "g",
              source: { all: true },
              storage,
              handler,
              batchSize: 0,
            }),
        ],
        [
          "options.retry.maxAttempts",
          () =>
            createConsumer(store, {
              group: "g",
              source: { all: true },
              storage,
              handler,
              retry: { maxAttempts: 0 },
            }),
        ],
        [
          "options.handler",
          () =>
            createConsumer(store, {
              group: "g",
              source: { all: true },
              storage,
              handler: undefined as never,
            }),
        ],
      ];
      for (const [path, create] of bad) {
        assert.throws(
          create,
          (error) => error instanceof ValidationError && error.path === path,
          path,
        );
      }
    });
  });
}
