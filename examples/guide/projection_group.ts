import { createGroupConsumer, createMemoryConsumerStorage, createMemoryStore } from "../../mod.ts";

const store = createMemoryStore();
for (let i = 1; i <= 40; i++) await store.append(`order-${i}`, [{ type: "OrderPlaced", data: {} }]);

// Members of one group share its work: each stream belongs to one of 8 partitions
// (a hash of its name), each partition to one live member, which keeps its order.
// Members run in separate processes against one store and one storage; here, two in one.
const storage = createMemoryConsumerStorage();
const handledBy = new Map<string, string>();
const member = (name: string) =>
  createGroupConsumer(store, {
    group: "shipping",
    member: name,
    source: { category: "order" },
    partitions: 8,
    storage,
    leaseTtl: 2000, // a member that stops renewing loses its partitions after this long
    handler: (message) => void handledBy.set(message.streamName, name),
  });
const [a, b] = [member("a"), member("b")];
await Promise.all([a.caughtUp, b.caughtUp]);

const owned = [...a.ownedPartitions(), ...b.ownedPartitions()];
console.log(owned.length, handledBy.size); // 8 40
console.log(new Set(handledBy.values()).size); // 2

// Stopping releases the member's partitions at once; the other takes them over.
await Promise.all([a.stop(), b.stop()]);
