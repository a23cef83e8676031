// The Effect API's scenarios on PGlite (PostgreSQL embedded in this process),
// through pgliteLayer: one instance, a schema of its own per test; and the
// Effect bus over the store-backed transport on it.
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteLayer, storeBackedTransport } from "../../effect/mod.ts";
import { testEffectBus } from "./_bus_scenarios.ts";
import { testEffectScenarios } from "./_scenarios.ts";

describe("Effect API over PGlite", () => {
  let pg: PGlite;
  let schemas = 0;
  before(async () => {
    pg = await PGlite.create();
  });
  after(async () => {
    await pg.close();
  });

  testEffectScenarios({
    name: "PGlite",
    layer: () => pgliteLayer(pg, { schema: `effect_${++schemas}`, pollInterval: 100 }),
  });

  testEffectBus({
    name: "the store-backed transport on PGlite",
    store: () => pgliteLayer(pg, { schema: `effect_bus_${++schemas}`, pollInterval: 100 }),
    transport: () => storeBackedTransport({ retry: { initialDelay: 5 } }),
    durableCheckpoints: true,
    commandRetries: true,
    scheduleRetries: { events: true, commands: true },
    propertyRuns: 5,
  });
});
