// PostgreSQL's jsonb limit (268,435,455 bytes per value), which bounds every
// message the PostgreSQL store takes: a maxMessageSize above it is refused
// when the store is made, on PostgreSQL and PGlite; a message or an append
// under maxMessageSize that is still over it in jsonb's bytes is refused as a
// ValidationError naming the limit, with nothing written, not as the
// server's raw error (checked on a real server: PGlite, with its memory in
// WebAssembly, runs out of memory before it meets the limit).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { createPGliteStore, createPostgresStore } from "../../stores/postgres/mod.ts";
import { type EventStore, silentLogger, ValidationError } from "../../mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";

const JSONB_MAX_BYTES = 268_435_455;
const MiB = 1 << 20;

const refusesOption = (make: (maxMessageSize: number) => unknown) => {
  assert.throws(
    () => make(JSONB_MAX_BYTES + 1),
    (error) =>
      error instanceof ValidationError && error.path === "options.maxMessageSize" &&
      error.message.includes(String(JSONB_MAX_BYTES)),
  );
  assert.doesNotThrow(() => make(JSONB_MAX_BYTES));
};

describe("PostgreSQL store: jsonb's size limit", () => {
  describe("on PGlite", () => {
    let pg: PGlite;
    before(async () => (pg = await PGlite.create()));
    after(async () => await pg.close());

    it("createPGliteStore() refuses a maxMessageSize above 268435455, naming the limit", () => {
      refusesOption((maxMessageSize) => createPGliteStore(pg, { maxMessageSize }));
    });
  });

  describe("on PostgreSQL (postgres.js)", () => {
    const pg = usePostgres({ max: 4, schema: "jsonb_limit" });

    it("createPostgresStore() refuses a maxMessageSize above 268435455, naming the limit", () => {
      refusesOption((maxMessageSize) => createPostgresStore(pg.sql, { maxMessageSize }));
    });

    it("append() refuses what fits maxMessageSize but not jsonb as a ValidationError at messages, and writes nothing", async () => {
      const store: EventStore = pg.createStore({
        schema: "jsonb_limit",
        maxMessageSize: JSONB_MAX_BYTES,
        logger: silentLogger,
      });
      await store.append("big-1", [{ type: "Small", data: {} }]);
      const head = await store.headPosition();
      const tooLarge = [
        // 90 Mi characters, under maxMessageSize; 270 MB as UTF-8, over jsonb's limit.
        [{ type: "Big", data: { text: "€".repeat(90 * MiB) } }],
        // Two messages each under both limits, over jsonb's as the one array an append sends.
        [
          { type: "Big", data: { text: "x".repeat(130 * MiB) } },
          { type: "Big", data: { text: "y".repeat(130 * MiB) } },
        ],
      ];
      for (const messages of tooLarge) {
        await assert.rejects(
          store.append("big-1", messages),
          (error) =>
            error instanceof ValidationError && error.path === "messages" &&
            error.message.includes(String(JSONB_MAX_BYTES)) &&
            (error.cause as { code?: string }).code === "54000",
        );
      }
      assert.equal(await store.headPosition(), head);
      await store.append("big-1", [{ type: "Small", data: {} }]);
      assert.equal((await store.readStream("big-1")).length, 2);
    });
  });
});
