// Run by exit.test.ts in a child process: starts a consumer that follows live,
// a group member with heartbeats, and a handler waiting out a long retry
// backoff; stops them all and returns. If any timer or listener were left
// behind, this process would not exit on its own.
import { createConsumer, createGroupConsumer } from "../../core/consumers/mod.ts";
import { createMemoryStore, silentLogger } from "../../mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";

const store = createMemoryStore({ logger: silentLogger });
const storage = createMemoryConsumerStorage();
await store.append("order-1", [{ type: "Placed", data: {} }, { type: "Poison", data: {} }]);

let seen = 0;
const following = createConsumer(store, {
  group: "live",
  source: { category: "order" },
  storage,
  handler: () => void seen++,
});
const member = createGroupConsumer(store, {
  group: "grouped",
  source: { category: "order" },
  partitions: 4,
  storage,
  leaseTtl: 60_000,
  handler: () => {},
});
let failedOnce!: () => void;
const failed = new Promise<void>((resolve) => (failedOnce = resolve));
const retrying = createConsumer(store, {
  group: "retrying",
  source: { all: true },
  storage,
  retry: { initialDelay: 600_000, maxDelay: 600_000, random: () => 0.99 },
  handler: (m) => {
    if (m.type === "Poison") {
      failedOnce();
      throw new Error("keeps failing");
    }
  },
});

await Promise.all([following.caughtUp, member.caughtUp, failed]);
await store.append("order-2", [{ type: "Placed", data: {} }]);
while (seen < 3) await new Promise((resolve) => setTimeout(resolve, 1));
await Promise.all([following.stop(), member.stop(), retrying.stop()]);
console.log(`stopped after ${seen} messages`);
