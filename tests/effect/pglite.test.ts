// The Effect API's scenarios on PGlite (PostgreSQL embedded in this process),
// through pgliteLayer: one instance, a schema of its own per test.
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteLayer } from "../../effect/mod.ts";
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

  testEffectScenarios({ name: "PGlite", layer: () => pgliteLayer(pg, { schema: `effect_${++schemas}`, pollInterval: 100 }) });
});
