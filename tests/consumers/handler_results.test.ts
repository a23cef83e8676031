// What a message handler returns: nothing (not awaited), a promise, or any
// other thenable (awaited like a promise). The next message waits for the
// last one's result, and a thenable that rejects is a failure, retried like
// a throw.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  createMemoryStore,
  type RecordedMessage,
  silentLogger,
} from "../../mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";

/** A thenable that is not a Promise: settles after a timer, as a foreign library's might. */
function laterThenable(fail: Error | undefined): PromiseLike<void> {
  return {
    then(onFulfilled, onRejected) {
      return new Promise<void>((resolve, reject) =>
        setTimeout(() => (fail === undefined ? resolve() : reject(fail)), 5)
      ).then(onFulfilled, onRejected);
    },
  };
}

async function fill(count: number) {
  const store = createMemoryStore({ logger: silentLogger });
  for (let i = 0; i < count; i++) {
    await store.append("order-1", [{ type: "OrderPlaced", data: { i } }]);
  }
  return store;
}

describe("message handler results", () => {
  it("a thenable handler result is waited for before the next message", async () => {
    const store = await fill(4);
    const events: string[] = [];
    const consumer = createConsumer(store, {
      group: "thenables",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: (message: RecordedMessage) => {
        const { i } = message.data as { i: number };
        events.push(`start ${i}`);
        // The types ask for a Promise; JavaScript callers may hand back any thenable.
        return laterThenable(undefined).then(() =>
          void events.push(`end ${i}`)
        ) as unknown as Promise<void>;
      },
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.deepEqual(
      events,
      [0, 1, 2, 3].flatMap((i) => [`start ${i}`, `end ${i}`]),
    );
  });

  it("a thenable that rejects is retried as a throw is, and a synchronous handler runs in order", async () => {
    const store = await fill(3);
    const attempts: string[] = [];
    const consumer = createConsumer(store, {
      group: "rejections",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      retry: { initialDelay: 1, maxAttempts: 3 },
      handler: (message: RecordedMessage, { attempt }) => {
        const { i } = message.data as { i: number };
        attempts.push(`${i}#${attempt}`);
        if (i === 1 && attempt === 1) {
          return laterThenable(new Error("not yet")) as unknown as Promise<void>;
        }
        if (i === 2 && attempt === 1) throw new Error("not yet either");
      },
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.deepEqual(attempts, ["0#1", "1#1", "1#2", "2#1", "2#2"]);
    assert.deepEqual(await consumer.listParked(), []);
  });
});
