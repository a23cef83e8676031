// The shared PostgreSQL fixture tears down in its own order on every runner:
// what was handed to it (stores, cleanups) goes while the pool still works,
// then clients and the pool end, then the server is let go.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClosedError } from "../mod.ts";
import { type PostgresFixture, usePostgres } from "./_postgres_fixture.ts";

describe("usePostgres()", () => {
  const seen: string[] = [];
  let pg: PostgresFixture;

  describe("a test file that uses it", () => {
    pg = usePostgres({ max: 2, schema: "fixture", store: { pollInterval: 60_000 } });
    pg.cleanup(async () => {
      const [{ one }] = await pg.sql`SELECT 1 AS one`;
      seen.push(`cleanup with the pool open: ${one}`);
    });

    it("gives a migrated store over the pool, and clients of their own", async () => {
      const result = await pg.store.append("order-1", [{ type: "Placed", data: {} }]);
      assert.equal(result.globalPosition, 1n);
      const [{ pid }] = await pg.client()`SELECT pg_backend_pid() AS pid`;
      const [{ shared }] = await pg.sql`SELECT count(*)::int AS shared FROM pg_stat_activity
        WHERE pid = ${pid} AND datname = current_database()`;
      assert.equal(shared, 1, "the client reached the fixture's database");
    });
  });

  it("closed the store and ran cleanups before it ended the pool", async () => {
    assert.deepEqual(seen, ["cleanup with the pool open: 1"]);
    await assert.rejects(pg.store.append("order-1", [{ type: "Late", data: {} }]), (error) => {
      assert.ok(error instanceof ClosedError);
      assert.match(error.message, /the store is closed/);
      return true;
    });
    await assert.rejects(
      pg.sql`SELECT 1`,
      (error: Error & { code?: string }) => error.code === "CONNECTION_ENDED",
    );
  });
});
