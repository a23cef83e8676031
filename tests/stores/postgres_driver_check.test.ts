// The PostgreSQL store's factories take a driver instance, not a connection
// string: users of Emmett's getPostgreSQLEventStore(connectionString) pass
// one. Each factory refuses a wrong driver at once, saying what to pass,
// instead of a TypeError ("sql.unsafe is not a function") at the first call.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { ValidationError } from "../../mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
} from "../../stores/postgres/mod.ts";

function refused(path: string, says: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.equal(error.path, path);
    assert.match(error.message, says);
    return true;
  };
}

describe("PostgreSQL store factories check their driver", () => {
  let pg: PGlite;
  // postgres.js connects at the first query only: this one never does.
  const sql = postgres("postgres://127.0.0.1:1/none");

  before(async () => {
    pg = await PGlite.create();
  });

  after(async () => {
    await sql.end();
    await pg.close();
  });

  it("createPostgresStore() and its consumer storage refuse a connection string, naming postgres(url)", () => {
    const url = "postgres://localhost:5432/shop";
    for (const create of [createPostgresStore, createPostgresConsumerStorage]) {
      assert.throws(
        () => create(url as never),
        refused("sql", /^Invalid sql "postgres:\/\/localhost:5432\/shop": .*pass postgres\(url\)/),
      );
    }
  });

  it("createPostgresStore() refuses a PGlite instance, naming createPGliteStore()", () => {
    assert.throws(
      () => createPostgresStore(pg as never),
      refused("sql", /createPGliteStore\(pg\)/),
    );
    assert.throws(() => createPostgresStore(undefined as never), refused("sql", /postgres\(url\)/));
  });

  it("createPGliteStore() and its consumer storage refuse a path and a postgres.js instance", () => {
    for (const create of [createPGliteStore, createPGliteConsumerStorage]) {
      assert.throws(() => create("./data" as never), refused("pg", /new PGlite\(dataDir\)/));
      assert.throws(() => create(sql as never), refused("pg", /createPostgresStore\(sql\)/));
    }
  });

  it("they take the real drivers", async () => {
    createPostgresStore(sql);
    createPostgresConsumerStorage(sql);
    const store = createPGliteStore(pg);
    createPGliteConsumerStorage(pg);
    await store.migrate();
    assert.equal((await store.append("order-1", [{ type: "A", data: {} }])).streamVersion, 0);
    await store.close();
  });
});
