import { createMemoryStore, silentLogger } from "../../mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
import type { MemoryTransaction } from "../../stores/memory/memory_transaction.ts";
import { testConsumerContract } from "../contract/consumer.ts";

testConsumerContract<MemoryTransaction>({
  name: "memory store + memory storage",
  createStore: () => createMemoryStore({ logger: silentLogger }),
  createStorage: () => createMemoryConsumerStorage(),
  operations: true,
  txProbe: () => {
    const committed: string[] = [];
    return {
      write: (tx, marker) => tx.onCommit(() => void committed.push(marker)),
      read: async () => [...committed],
    };
  },
});
