// The Effect API's scenarios against a real PostgreSQL 18 server (started
// from node_modules by the test), through postgresLayer over postgres.js, and
// the Effect bus over the store-backed transport on it. Each test gets a
// schema of its own, migrated by the layer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect } from "effect";
import postgres from "postgres";
import { EventStore, postgresLayer, storeBackedTransport } from "../../effect/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { messages } from "../contract/_fixtures.ts";
import { testEffectBus } from "./_bus_scenarios.ts";
import { testEffectScenarios } from "./_scenarios.ts";

describe("Effect API over PostgreSQL (postgres.js)", () => {
  const pg = usePostgres({ max: 10 });
  let schemas = 0;

  testEffectScenarios({
    name: "PostgreSQL",
    layer: () => postgresLayer(pg.sql, { schema: `effect_${++schemas}`, pollInterval: 100 }),
  });

  testEffectBus({
    name: "the store-backed transport on PostgreSQL",
    store: () => postgresLayer(pg.sql, { schema: `effect_bus_${++schemas}`, pollInterval: 100 }),
    transport: () => storeBackedTransport({ retry: { initialDelay: 5 } }),
    durableCheckpoints: true,
    propertyRuns: 5,
  });

  it("postgresLayer() given a factory ends the connection pool it made when its scope closes", async () => {
    let made: postgres.Sql | undefined;
    const layer = postgresLayer(
      () => (made = postgres(pg.server.url, { onnotice: () => {}, max: 2 })),
      { schema: "effect_owned" },
    );
    const result = await Effect.runPromise(
      Effect.provide(EventStore.use((store) => store.append("order-1", messages(2))), layer),
    );
    assert.equal(result.streamVersion, 1);
    assert.ok(made !== undefined);
    await assert.rejects(
      made`select 1`,
      (error: Error & { code?: string }) => error.code === "CONNECTION_ENDED",
    );
    // Data written through the owned pool is there for another one.
    const rows = await pg.sql`select count(*)::int as n from effect_owned.messages`;
    assert.equal(rows[0].n, 2);
  });
});
