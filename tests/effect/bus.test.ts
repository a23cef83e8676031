// The Effect bus over the in-process transport and over the store-backed
// transport on the memory store.
import { inProcessTransport, memoryLayer, storeBackedTransport } from "../../effect/mod.ts";
import { testEffectBus } from "./_bus_scenarios.ts";

testEffectBus({
  name: "the in-process transport",
  store: () => memoryLayer(),
  transport: () => inProcessTransport(),
  durableCheckpoints: false,
  propertyRuns: 25,
});

testEffectBus({
  name: "the store-backed transport on the memory store",
  store: () => memoryLayer(),
  transport: () => storeBackedTransport({ retry: { initialDelay: 5 } }),
  durableCheckpoints: true,
  propertyRuns: 15,
});
