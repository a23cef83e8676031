// The store contract, run against a memory store wrapped by telemetry that
// records: the wrapper must keep every guarantee of the store it wraps, its
// global reads (derived from its own traced readPage) included.
import { createMemoryStore } from "../../stores/memory/mod.ts";
import { testStoreContract } from "../contract/store.ts";
import { OtelHarness } from "./_otel.ts";

const otel = new OtelHarness();

testStoreContract({
  name: "memory, with telemetry",
  create: () => {
    otel.exporter.reset(); // spans do not pile up over the suite
    return createMemoryStore({ telemetry: otel.telemetry });
  },
});
