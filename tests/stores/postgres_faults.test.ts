// Faults against a real server: a connection killed in the middle of an
// append, the server stopped and started again, and the LISTEN connection
// dropped while a reader waits. Nothing half-written, typed errors, recovery;
// through each supported postgres.js (3.4 and 4).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type postgres from "postgres";
import { StoreUnavailableError } from "../../mod.ts";
import { POSTGRES_DRIVERS } from "../_postgres_drivers.ts";
import { usePostgres } from "../_postgres_fixture.ts";

/**
 * Retries `operation` while it fails with StoreUnavailableError, as a client
 * does: appends are safe to retry with the same ids. A pooled connection
 * whose backend was killed fails the next statement sent on it.
 */
async function retrying<T>(operation: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt === attempts) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

for (const driver of POSTGRES_DRIVERS) {
  describe(`PostgreSQL store under faults (${driver.name})`, () => {
    const pg = usePostgres({
      max: 4,
      schema: "faults",
      store: { pollInterval: 60_000 },
      driver: driver.postgres,
    });
    let admin: postgres.Sql;

    before(() => {
      admin = pg.client();
    });

    it("stores an append whole or not at all when its connection is killed, and the retry completes it", async () => {
      const outcomes = { failed: 0, completed: 0 };
      for (let round = 0; round < 8; round++) {
        const stream = `killed-${round}`;
        const batch = Array.from(
          { length: 3000 },
          (_, n) => ({ id: crypto.randomUUID(), type: "Bulk", data: { n, pad: "x".repeat(200) } }),
        );
        const appending = pg.store.append(stream, batch).then(
          () => "completed" as const,
          (error: unknown) => error,
        );
        // Kill the backend running the append at a random moment once it is running
        // (watching pg_stat_activity, so a fast append on a busy machine is not missed).
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        let finished = false;
        appending.then(() => (finished = true));
        while (!finished) {
          const killed = await admin.unsafe(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%faults.append(%' AND pid <> pg_backend_pid() AND datname = current_database()",
          );
          if (killed.length > 0) break;
          await new Promise((r) => setTimeout(r, 1));
        }
        const outcome = await appending;
        const [{ count }] = await retrying(() =>
          admin.unsafe(
            "SELECT count(*)::int AS count FROM faults.messages WHERE stream_name = $1",
            [
              stream,
            ],
          )
        );
        assert.ok(
          count === 0 || count === batch.length,
          `half-written append: ${count} of ${batch.length}`,
        );
        if (outcome === "completed") {
          outcomes.completed++;
          assert.equal(count, batch.length);
        } else {
          outcomes.failed++;
          assert.ok(
            outcome instanceof StoreUnavailableError,
            `expected StoreUnavailableError, got ${outcome}`,
          );
          assert.equal(outcome._tag, "StoreUnavailableError");
        }
        // The client retries with the same ids: the append ends stored exactly once.
        const retry = await retrying(() => pg.store.append(stream, batch));
        assert.equal(retry.positions.length, batch.length);
        assert.equal(retry.deduplicated, count === batch.length);
        const stored = await retrying(() => pg.store.readStream(stream));
        assert.deepEqual(stored.map((m) => m.id), batch.map((m) => m.id));
      }
      assert.ok(
        outcomes.failed > 0,
        `no append was interrupted in 8 rounds (${JSON.stringify(outcomes)})`,
      );
    });

    it("throws StoreUnavailableError while the server is down, then recovers", async () => {
      await retrying(() => pg.store.append("restart-1", [{ type: "Before", data: {} }]));
      await pg.server.halt();
      try {
        await assert.rejects(
          pg.store.append("restart-1", [{ type: "During", data: {} }]),
          (error) => {
            assert.ok(error instanceof StoreUnavailableError, `got ${error}`);
            assert.match(error.message, /^Store unavailable during append: /);
            return true;
          },
        );
        await assert.rejects(pg.store.readAll().toArray(), StoreUnavailableError);
      } finally {
        await pg.server.start();
      }
      const after = await retrying(() =>
        pg.store.append("restart-1", [{ type: "After", data: {} }])
      );
      assert.equal(after.streamVersion, 1);
      // Each pooled connection may still meet the restart once.
      const read = await retrying(() => pg.store.readStream("restart-1"));
      assert.deepEqual(read.map((m) => m.type), ["Before", "After"]);
    });

    it("wakes a waiting reader after its LISTEN connection was dropped and re-established", async () => {
      const head = await pg.store.headPosition();
      const waiting = pg.store.waitForAppend(head, { timeout: 20_000 });
      await new Promise((r) => setTimeout(r, 100)); // the LISTEN is in place
      // Drop the listening connection (postgres.js reconnects it by itself).
      const killed = await admin.unsafe(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query ILIKE 'listen%' AND datname = current_database()",
      );
      assert.ok(killed.length >= 1, "the listening backend was found and terminated");
      await new Promise((r) => setTimeout(r, 300));
      // The poll interval is a minute: only the re-established LISTEN (or its re-read on reconnect) can wake the reader.
      await pg.store.append("listen-1", [{ type: "AfterDrop", data: {} }]);
      assert.equal(await waiting, true);
    });
  });
}
