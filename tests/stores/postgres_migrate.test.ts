// migrate(): versioned, idempotent, and safe when several processes run it at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConcurrencyError, isRetryable, NotMigratedError, ValidationError } from "../../mod.ts";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  MIGRATIONS,
} from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";

describe("PostgreSQL store migrate()", () => {
  const pg = usePostgres({ max: 10 });

  it("creates the schema once when eight connections migrate at the same time", async () => {
    // Separate clients, as separate processes would have.
    const clients = Array.from(
      { length: 8 },
      () => pg.client(),
    );
    try {
      await Promise.all(
        clients.map((client) => createPostgresStore(client, { schema: "together" }).migrate()),
      );
    } finally {
      await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
    }
    const applied = await pg.sql.unsafe("SELECT version FROM together.migrations ORDER BY version");
    assert.deepEqual(applied.map((row) => row.version), MIGRATIONS.map((m) => m.version));
    const store = createPostgresStore(pg.sql, { schema: "together" });
    const result = await store.append("order-1", [{ type: "T", data: {} }]);
    assert.equal(result.globalPosition, 1n);
  });

  it("changes nothing when run again", async () => {
    const store = createPostgresStore(pg.sql, { schema: "again" });
    await store.migrate();
    await store.append("order-1", [{ type: "T", data: {} }]);
    await store.migrate();
    assert.equal((await store.readAll().toArray()).length, 1);
    const applied = await pg.sql.unsafe("SELECT count(*)::int AS n FROM again.migrations");
    assert.equal(applied[0].n, MIGRATIONS.length);
  });

  it("raises no notice when run again (postgres.js would print each on the console)", async () => {
    const notices: unknown[] = [];
    const client = pg.client({ onnotice: (notice) => void notices.push(notice) });
    try {
      const store = createPostgresStore(client, { schema: "quiet" });
      await store.migrate();
      await store.migrate();
    } finally {
      await client.end({ timeout: 5 });
    }
    assert.deepEqual(notices, []);
  });

  it("keeps the streams and positions of a schema from before migration 4, and older callers keep working", async () => {
    // Migrations 1 to 3 only, as a store of an earlier release left them,
    // written by that release's append function: one append numbered its own
    // rows, one left its row to the sequencer, which never came.
    await pg.sql.unsafe(
      "CREATE SCHEMA upgraded; CREATE TABLE upgraded.migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    ).simple();
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) {
      await pg.sql.unsafe(migration.script("upgraded")).simple();
      await pg.sql.unsafe("INSERT INTO upgraded.migrations (version) VALUES ($1)", [
        migration.version,
      ]);
    }
    const payload = (...ns: number[]) =>
      JSON.stringify(
        ns.map((n) => ({ id: crypto.randomUUID(), type: "T", data: { n }, metadata: {} })),
      );
    await pg.sql.unsafe(
      "SELECT * FROM upgraded.append('order-1', 'any', $1::text::jsonb, 100, true)",
      [payload(0, 1)],
    );
    await pg.sql.unsafe(
      "SELECT * FROM upgraded.append('order-2', 'any', $1::text::jsonb, 100, false)",
      [payload(0)],
    );
    const [{ unnumbered }] = await pg.sql.unsafe(
      "SELECT count(*)::int AS unnumbered FROM upgraded.messages WHERE global_position IS NULL",
    );
    assert.equal(unnumbered, 1, "the old release left one row for its sequencer");

    const store = createPostgresStore(pg.sql, { schema: "upgraded" });
    await store.migrate();
    const applied = await pg.sql.unsafe("SELECT version FROM upgraded.migrations ORDER BY version");
    assert.deepEqual(applied.map((row) => row.version), MIGRATIONS.map((m) => m.version));
    assert.deepEqual(
      (await store.readAll().toArray()).map((
        m,
      ) => [m.streamName, m.streamVersion, m.globalPosition]),
      [
        ["order-1", 0, 1n],
        ["order-1", 1, 2n],
        ["order-2", 0, 3n],
      ],
    );

    const next = await store.append("order-1", [{ type: "T", data: { n: 2 } }], {
      expectedVersion: 1,
    });
    assert.equal(next.streamVersion, 2);
    assert.equal(next.globalPosition, 4n);
    await assert.rejects(
      store.append("order-2", [{ type: "T", data: {} }], { expectedVersion: "no-stream" }),
      ConcurrencyError,
    );
    // Processes still running older code call the four- and five-argument
    // functions, and ask the old sequencer for positions.
    const oldPayload = payload(1);
    const [old] = await pg.sql.unsafe(
      "SELECT * FROM upgraded.append('order-2', '0', $1::text::jsonb, 100)",
      [oldPayload],
    );
    assert.deepEqual([old.status, old.stream_version, old.global_position], ["range", "1", "5"]);
    await pg.sql.unsafe(
      "SELECT * FROM upgraded.append('order-3', 'any', $1::text::jsonb, 100, false)",
      [payload(0)],
    );
    const [asked] = await pg.sql.unsafe(
      "SELECT global_position FROM upgraded.sequence(ARRAY[$1]::uuid[], 100)",
      [JSON.parse(oldPayload)[0].id],
    );
    assert.equal(asked.global_position, "5");
    assert.deepEqual((await store.readStream("order-2")).map((m) => m.streamVersion), [0, 1]);
    assert.deepEqual((await store.readAll().toArray()).map((m) => m.globalPosition), [
      1n,
      2n,
      3n,
      4n,
      5n,
      6n,
    ]);
    await store.close();
  });

  it("says to call migrate() when the schema has no tables: NotMigratedError, not the retryable StoreUnavailableError", async () => {
    const store = createPostgresStore(pg.sql, { schema: "never_migrated" });
    await assert.rejects(store.append("order-1", [{ type: "T", data: {} }]), (error) => {
      assert.ok(error instanceof NotMigratedError);
      assert.ok(!isRetryable(error));
      assert.equal(error.schema, "never_migrated");
      assert.match(
        error.message,
        /^Schema "never_migrated" is not migrated: call migrate\(\) first \(relation "never_migrated\.migrations" does not exist\)$/,
      );
      return true;
    });
  });

  it("refuses every word the server reserves (order, user…), naming it, and migrates under one it does not", async () => {
    // The server's own list: reserved words and those kept for types and
    // functions are syntax errors unquoted (`order.messages`).
    const reserved = await pg.sql<{ word: string }[]>`
      SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') AND word ~ '^[a-z_][a-z0-9_]*$'`;
    assert.ok(reserved.length > 90, `${reserved.length} reserved words`);
    for (const { word } of reserved) {
      for (const create of [createPostgresStore, createPostgresConsumerStorage]) {
        assert.throws(
          () => create(pg.sql, { schema: word }),
          (error) =>
            error instanceof ValidationError && error.path === "options.schema" &&
            error.message ===
              `Invalid options.schema "${word}": "${word}" is a reserved word in PostgreSQL: choose another name, such as "${word}_store"`,
          word,
        );
      }
    }
    // A word kept only from column names is a fine schema name.
    const store = createPostgresStore(pg.sql, { schema: "values" });
    await store.migrate();
    assert.equal((await store.append("order-1", [{ type: "T", data: {} }])).streamVersion, 0);
    await store.close();
  });

  it("refuses a schema name that would need quoting", () => {
    for (const schema of ["", "Orders", "my-schema", "x;drop", "1abc", "a".repeat(49)]) {
      assert.throws(
        () => createPostgresStore(pg.sql, { schema }),
        (error) => error instanceof ValidationError && error.path === "options.schema",
      );
    }
  });
});
