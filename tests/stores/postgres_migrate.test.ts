// migrate(): versioned, idempotent, and safe when several processes run it at once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import postgres from "postgres";
import { StoreUnavailableError, ValidationError } from "../../mod.ts";
import { createPostgresStore, MIGRATIONS } from "../../stores/postgres/mod.ts";
import { startPostgres, type PostgresServer } from "../_postgres_server.ts";

describe("PostgreSQL store migrate()", () => {
  let server: PostgresServer;
  let sql: postgres.Sql;

  before(async () => {
    server = await startPostgres();
    sql = postgres(server.url, { onnotice: () => {}, max: 10 });
  });

  after(async () => {
    await sql.end({ timeout: 5 });
    await server.stop();
  });

  it("creates the schema once when eight connections migrate at the same time", async () => {
    // Separate clients, as separate processes would have.
    const clients = Array.from({ length: 8 }, () => postgres(server.url, { onnotice: () => {}, max: 1 }));
    try {
      await Promise.all(clients.map((client) => createPostgresStore(client, { schema: "together" }).migrate()));
    } finally {
      await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
    }
    const applied = await sql.unsafe("SELECT version FROM together.migrations ORDER BY version");
    assert.deepEqual(applied.map((row) => row.version), MIGRATIONS.map((m) => m.version));
    const store = createPostgresStore(sql, { schema: "together" });
    const result = await store.append("order-1", [{ type: "T", data: {} }]);
    assert.equal(result.globalPosition, 1n);
  });

  it("changes nothing when run again", async () => {
    const store = createPostgresStore(sql, { schema: "again" });
    await store.migrate();
    await store.append("order-1", [{ type: "T", data: {} }]);
    await store.migrate();
    assert.equal((await store.readAll()).length, 1);
    const applied = await sql.unsafe("SELECT count(*)::int AS n FROM again.migrations");
    assert.equal(applied[0].n, MIGRATIONS.length);
  });

  it("says to call migrate() when the schema has no tables", async () => {
    const store = createPostgresStore(sql, { schema: "never_migrated" });
    await assert.rejects(store.append("order-1", [{ type: "T", data: {} }]), (error) => {
      assert.ok(error instanceof StoreUnavailableError);
      assert.equal(error.message, 'Store unavailable during append: schema "never_migrated" has no ordo tables: call migrate() first');
      return true;
    });
  });

  it("refuses a schema name that would need quoting", () => {
    for (const schema of ["", "Orders", "my-schema", "x;drop", "1abc", "a".repeat(49)]) {
      assert.throws(() => createPostgresStore(sql, { schema }), (error) => error instanceof ValidationError && error.path === "options.schema");
    }
  });
});
