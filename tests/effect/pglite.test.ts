// The Effect API's scenarios on PGlite (PostgreSQL embedded in this process),
// through pgliteLayer: one instance, a schema of its own per test; and the
// Effect bus over the store-backed transport on it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { Effect } from "effect";
import { makeEventStore, pgliteLayer, storeBackedTransport } from "../../effect/mod.ts";
import { silentLogger } from "../../mod.ts";
import { createPGliteStore } from "../../stores/postgres/mod.ts";
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

  it("a schema never migrated fails reads and appends with NotMigratedError in the error channel", async () => {
    const store = makeEventStore(
      createPGliteStore(pg, { schema: "never_migrated", logger: silentLogger }),
    );
    const tag = (effect: Effect.Effect<unknown, { readonly _tag: string }>) =>
      Effect.runPromise(
        effect.pipe(
          Effect.as("succeeded"),
          Effect.catchTag("NotMigratedError", (error) => Effect.succeed(error._tag)),
        ),
      );
    assert.equal(await tag(store.readAll()), "NotMigratedError");
    assert.equal(await tag(store.append("order-1", [{ type: "A", data: {} }])), "NotMigratedError");
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
    propertyRuns: 5,
  });
});
