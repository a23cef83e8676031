// A consumer's control link: it counts as running for three controlIntervals
// after each announcement, so it must keep announcing while it is busy
// replaying, however long the replays take.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  silentLogger,
} from "../../mod.ts";
import { gate, NO_DELAY, until } from "../contract/_consumer_fixtures.ts";

describe("consumer control link", () => {
  it("a consumer busy with a replay longer than its announcement's lifetime still counts as running", async () => {
    // The control store's clock, moved by hand: "longer" without waiting for it.
    let now = 1_000_000;
    const storage = createMemoryConsumerStorage({ now: () => now });
    const control = storage.control!;
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    const [message] = await store.readAll().toArray();
    const replay = gate();
    let calls = 0;
    let replaying = false;
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      logger: silentLogger,
      controlInterval: 10,
      retry: { maxAttempts: 1, ...NO_DELAY },
      handler: async () => {
        if (++calls === 1) throw new Error("bug");
        replaying = true;
        await replay.promise;
      },
    });
    try {
      await consumer.caughtUp;
      await until(async () => (await control.running()).length === 1, "announced");
      await control.requestReplay("totals", message.id);
      await until(() => replaying, "the replay to start");
      // A minute on, by the control store's clock: every announcement made so far has run out.
      now += 60_000;
      assert.deepEqual(await control.running(), []);
      await until(
        async () => (await control.running()).length === 1,
        "announced again while the replay runs",
        2_000,
      );
      replay.open();
      await until(async () => (await consumer.getParked(message.id)) === undefined, "replayed");
    } finally {
      replay.open();
      await consumer.stop();
    }
    assert.deepEqual(await control.running(), []);
  });
});
