// Group commit against a real PostgreSQL 18 server: one-message appends made
// together commit in one transaction, yet each caller gets what its append
// alone would have got: its own position, its own conflict, its own retry
// answer, its own failure.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { type AppendResult, ConcurrencyError } from "../../mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";

describe("PostgreSQL store grouping one-message appends", () => {
  const pg = usePostgres({ max: 20, schema: "grouped", store: { pollInterval: 60_000 } });

  // The transaction that wrote each message: rows written by one statement share it.
  const writers = async (ids: string[]) =>
    new Set(
      (await pg.sql.unsafe(
        "SELECT xmin::text AS x FROM grouped.messages WHERE id = ANY($1::uuid[])",
        [
          ids,
        ],
      )).map((r) => r.x),
    );

  beforeEach(async () => {
    await pg.sql.unsafe("TRUNCATE grouped.messages RESTART IDENTITY");
  });

  it("commits appends made together in one transaction, each answered with its own position", async () => {
    const results = await Promise.all(
      Array.from(
        { length: 16 },
        (_, w) => pg.store.append(`together-${w}`, [{ type: "Placed", data: { w } }]),
      ),
    );
    const ids = results.map((r) => r.positions[0].id);
    assert.equal(
      (await writers(ids)).size,
      1,
      "sixteen appends made in one turn were not one transaction",
    );
    const stored = await pg.store.readAll({ from: 0n, limit: 100 }).toArray();
    assert.equal(stored.length, 16);
    for (const [w, result] of results.entries()) {
      const row = stored.find((m) => m.id === result.positions[0].id);
      assert.ok(row, `append ${w} reported a message that is not stored`);
      assert.equal(row.streamName, `together-${w}`);
      assert.deepEqual(row.data, { w });
      assert.equal(
        result.globalPosition,
        row.globalPosition,
        `append ${w} reported another row's position`,
      );
      assert.equal(result.streamVersion, 0);
      assert.equal(result.deduplicated, false);
    }
  });

  it("answers a conflict and a retry in a group as it would alone, and stores the rest together", async () => {
    await pg.store.append("kept-1", [{ type: "Placed", data: { n: 0 } }]);
    await pg.store.append("exact-1", [{ type: "Placed", data: { n: 0 } }]);
    const existing = await pg.store.append("retried-1", [{ type: "Placed", data: { n: 0 } }]);
    const retriedId = existing.positions[0].id;
    const [fresh, conflict, retry, noStream, exact] = await Promise.allSettled([
      pg.store.append("fresh-1", [{ type: "Placed", data: {} }]),
      pg.store.append("kept-1", [{ type: "Placed", data: { n: 1 } }], { expectedVersion: 5 }),
      pg.store.append("retried-1", [{ id: retriedId, type: "Placed", data: { n: 0 } }]),
      pg.store.append("fresh-2", [{ type: "Placed", data: {} }], { expectedVersion: "no-stream" }),
      pg.store.append("exact-1", [{ type: "Placed", data: { n: 1 } }], { expectedVersion: 0 }),
    ]);
    assert.equal(conflict.status, "rejected");
    assert.ok(conflict.reason instanceof ConcurrencyError, String(conflict.reason));
    assert.equal(conflict.reason.actualVersion, 0, "the conflict names the stream's version");
    assert.equal(retry.status, "fulfilled");
    assert.equal(retry.value.deduplicated, true, "an id stored already is answered as a retry");
    assert.equal(
      retry.value.globalPosition,
      existing.globalPosition,
      "the retry returns the original position",
    );
    for (const outcome of [fresh, noStream, exact]) assert.equal(outcome.status, "fulfilled");
    const together = [fresh, noStream, exact].map((o) =>
      (o as PromiseFulfilledResult<AppendResult>).value.positions[0].id
    );
    assert.equal(
      (await writers(together)).size,
      1,
      "the appends that passed their checks were not grouped",
    );
    assert.equal(
      (await pg.store.readStream("kept-1")).length,
      1,
      "the conflicting append wrote nothing",
    );
    assert.equal((await pg.store.readStream("retried-1")).length, 1, "the retry wrote nothing");
  });

  it("fails only the append the server refuses; the others of its group are stored", async () => {
    // A rule of the user's own, which the server checks and ordo cannot.
    await pg.sql.unsafe(
      "ALTER TABLE grouped.messages ADD CONSTRAINT no_refused CHECK (type <> 'Refused')",
    );
    try {
      const outcomes = await Promise.allSettled(
        ["Placed", "Placed", "Refused", "Placed"].map((type, w) =>
          pg.store.append(`mixed-${w}`, [{ type, data: { w } }])
        ),
      );
      assert.equal(outcomes[2].status, "rejected");
      assert.equal(
        (outcomes[2] as PromiseRejectedResult).reason.code,
        "23514",
        "the refused append gets the server's error",
      );
      for (const w of [0, 1, 3]) {
        assert.equal(outcomes[w].status, "fulfilled", `append ${w} failed with the refused one`);
      }
      const stored = await pg.store.readAll({ from: 0n, limit: 100 }).toArray();
      assert.deepEqual(stored.map((m) => m.streamName).sort(), ["mixed-0", "mixed-1", "mixed-3"]);
    } finally {
      await pg.sql.unsafe("ALTER TABLE grouped.messages DROP CONSTRAINT no_refused");
    }
  });

  it("runs one stream's appends in the order they were made, and still groups other streams' beside them", async () => {
    const made = Array.from(
      { length: 40 },
      (_, i) =>
        pg.store.append(i % 2 === 0 ? "ordered-1" : `beside-${i}`, [{
          type: "Placed",
          data: { i },
        }]),
    );
    const results = await Promise.all(made);
    const ordered = await pg.store.readStream("ordered-1");
    assert.deepEqual(
      ordered.map((m) => (m.data as { i: number }).i),
      Array.from({ length: 20 }, (_, k) => 2 * k),
    );
    assert.deepEqual(ordered.map((m) => m.streamVersion), Array.from({ length: 20 }, (_, k) => k));
    const transactions = await writers(results.map((r) => r.positions[0].id));
    assert.ok(
      transactions.size < 40,
      `40 appends took ${transactions.size} transactions: nothing was grouped`,
    );
  });
});
