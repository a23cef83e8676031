// The bus patterns over the store-backed transport on the memory store.
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { testBusPatterns } from "./_bus_suite.ts";

testBusPatterns({
  name: "the store-backed transport on the memory store",
  create: async () => {
    const store = createMemoryStore();
    const storage = createMemoryConsumerStorage();
    const make = () => createStoreBackedTransport(store, { storage, retry: { initialDelay: 5 } });
    return { transport: make(), reopen: make };
  },
  durableCheckpoints: true,
  // Queries are answered in-process; command results are stored as the reply.
  results: { commands: "json", queries: "reference" },
  propertyRuns: 30,
});
