// PostgreSQL's jsonb limit (268,435,455 bytes per value), which bounds every
// message the PostgreSQL store takes: a maxMessageSize above it is refused
// when the store is made, on PostgreSQL and PGlite; a message or an append
// under maxMessageSize that is still over it in jsonb's bytes is refused
// before it is sent, as a ValidationError naming the limit, with nothing
// written, not as the server's raw error (PGlite, with its memory in
// WebAssembly, answered it with "out of memory", SQLSTATE 53200). The
// boundary itself is checked on small text with the limit lowered.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { createPGliteStore, createPostgresStore } from "../../stores/postgres/mod.ts";
import { type EventStore, silentLogger, ValidationError } from "../../mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { checkJsonbBytes } from "../../stores/postgres/_jsonb_limit.ts";

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

/** Over jsonb's limit in UTF-8 bytes, under maxMessageSize in characters: refused, nothing written. */
async function refusesTooLarge(store: EventStore): Promise<void> {
  await store.append("big-1", [{ type: "Small", data: {} }]);
  const head = await store.headPosition();
  // {"text":"€…"}: 11 bytes and 3 a character; 2 bytes over the limit.
  const justOver = Math.floor((JSONB_MAX_BYTES - 11) / 3) + 1;
  const tooLarge = [
    // One message, 89 Mi characters of JSON: 268435457 bytes of UTF-8.
    [{ type: "Big", data: { text: "€".repeat(justOver) } }],
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
        error.message.includes("Nothing was written"),
    );
  }
  assert.equal(await store.headPosition(), head);
  await store.append("big-1", [{ type: "Small", data: {} }]);
  assert.equal((await store.readStream("big-1")).length, 2);
}

describe("PostgreSQL store: jsonb's size limit", () => {
  it("counts UTF-8 bytes up to the limit and refuses one byte over (the limit lowered to 30)", () => {
    const refused = (texts: string[]) => {
      try {
        checkJsonbBytes(texts, [], 30);
        return false;
      } catch (error) {
        assert.ok(error instanceof ValidationError && error.path === "messages");
        assert.match(error.message, /at most 30 bytes/);
        return true;
      }
    };
    // 1, 2, 3 and 4 (a pair of surrogates) bytes a character.
    for (const [char, bytes] of [["x", 1], ["é", 2], ["€", 3], ["😀", 4]] as const) {
      const atLimit = `"${char.repeat(Math.floor(28 / bytes))}"` +
        " ".repeat(28 - Math.floor(28 / bytes) * bytes);
      assert.equal(refused([atLimit]), false, `${char}: 30 bytes pass`);
      assert.equal(refused([atLimit + " "]), true, `${char}: 31 bytes are refused`);
      assert.equal(refused(["", atLimit + " "]), true, "each text is bounded");
    }
    // Up to a third of the limit in UTF-16 units cannot be over: no count.
    assert.equal(refused(["€".repeat(10)]), false);
    assert.equal(refused(["€".repeat(11)]), true);
    assert.equal(refused(["x".repeat(31)]), true);
  });

  describe("on PGlite", () => {
    let pg: PGlite;
    before(async () => (pg = await PGlite.create()));
    after(async () => await pg.close());

    it("createPGliteStore() refuses a maxMessageSize above 268435455, naming the limit", () => {
      refusesOption((maxMessageSize) => createPGliteStore(pg, { maxMessageSize }));
    });

    it("append() refuses what fits maxMessageSize but not jsonb as a ValidationError at messages, and writes nothing", async () => {
      const store = createPGliteStore(pg, {
        maxMessageSize: JSONB_MAX_BYTES,
        logger: silentLogger,
      });
      await store.migrate();
      await refusesTooLarge(store);
    });
  });

  describe("on PostgreSQL (postgres.js)", () => {
    const pg = usePostgres({ max: 4, schema: "jsonb_limit" });

    it("createPostgresStore() refuses a maxMessageSize above 268435455, naming the limit", () => {
      refusesOption((maxMessageSize) => createPostgresStore(pg.sql, { maxMessageSize }));
    });

    it("append() refuses what fits maxMessageSize but not jsonb as a ValidationError at messages, and writes nothing", async () => {
      await refusesTooLarge(pg.createStore({
        schema: "jsonb_limit",
        maxMessageSize: JSONB_MAX_BYTES,
        logger: silentLogger,
      }));
    });
  });
});
