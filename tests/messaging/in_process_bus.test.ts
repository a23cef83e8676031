// The bus patterns over the in-process transport.
import { createInProcessTransport } from "../../transports/in_process.ts";
import { testBusPatterns } from "./_bus_suite.ts";

testBusPatterns({
  name: "the in-process transport",
  create: async () => ({ transport: createInProcessTransport() }),
  durableCheckpoints: false,
  propertyRuns: 50,
});
