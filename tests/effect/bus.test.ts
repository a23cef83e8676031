// The Effect bus over the in-process transport and over the store-backed
// transport on the memory store.
import { inProcessTransport, memoryLayer, storeBackedTransport } from "../../effect/mod.ts";
import { testEffectBus } from "./_bus_scenarios.ts";

testEffectBus({
  name: "the in-process transport",
  store: () => memoryLayer(),
  transport: () => inProcessTransport(),
  durableCheckpoints: false,
  commandRetries: false,
  // In-process commands run once per id with no retry; events ask the policy's `delays` rule.
  scheduleRetries: { events: true, commands: false },
  propertyRuns: 25,
});

testEffectBus({
  name: "the store-backed transport on the memory store",
  store: () => memoryLayer(),
  transport: () => storeBackedTransport({ retry: { initialDelay: 5 } }),
  durableCheckpoints: true,
  commandRetries: true,
  // Events run on core consumers and commands on the command loop; both ask `delays`.
  scheduleRetries: { events: true, commands: true },
  propertyRuns: 15,
});
