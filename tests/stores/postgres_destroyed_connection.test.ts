// postgres.js's CONNECTION_DESTROYED: sql.end({ timeout }) destroys the
// connections of the calls still running when its timeout passes, and a pool
// of several hosts destroys one when it leaves that host for another. A store
// that is closing reads it as ClosedError (its caller ended the driver under
// it: nothing will bring it back, and a retry would only log); an open store
// as the retryable StoreUnavailableError, since it cannot tell that from a
// failover. Against a real server, with a read held by another session's lock
// so that it is still running when the pool ends; through each supported
// postgres.js (3.4 and 4).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClosedError, isRetryable, silentLogger, StoreUnavailableError } from "../../mod.ts";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import { POSTGRES_DRIVERS } from "../_postgres_drivers.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { until } from "../contract/_consumer_fixtures.ts";

for (const driver of POSTGRES_DRIVERS) {
  describe(`a PostgreSQL store whose connection ${driver.name} destroys`, () => {
    const pg = usePostgres({ max: 2, schema: "destroyed", driver: driver.postgres });

    /** A read cut off by `sql.end({ timeout })`, the store closing first or not: its error. */
    async function cutOff(closing: boolean): Promise<unknown> {
      const sql = pg.client({ max: 2 });
      const store = createPostgresStore(sql, { schema: "destroyed", logger: silentLogger });
      await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const locked = pg.sql.begin(async (tx) => {
        await tx.unsafe("LOCK TABLE destroyed.messages IN ACCESS EXCLUSIVE MODE");
        await held;
      });
      try {
        await until(async () => {
          const [{ holding }] = await pg.sql.unsafe(
            "SELECT count(*)::int AS holding FROM pg_locks WHERE relation = 'destroyed.messages'::regclass AND granted AND mode = 'AccessExclusiveLock'",
          );
          return holding > 0;
        }, "the lock taken");
        const reading = store.readStream("order-1").then(() => undefined, (error) => error);
        await until(async () => {
          const [{ waiting }] = await pg.sql.unsafe(
            "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          return waiting > 0;
        }, "the read waiting for the lock");
        const closed = closing ? store.close() : undefined;
        await sql.end({ timeout: 0.1 });
        const error = await reading;
        release();
        await locked;
        await closed;
        return error;
      } finally {
        release();
        await store.close();
      }
    }

    it("readStream() cut off by sql.end({ timeout }) while the store closes rejects with ClosedError, not retried", async () => {
      const error = await cutOff(true);
      assert.ok(error instanceof ClosedError, `got ${error}`);
      assert.equal(isRetryable(error), false);
      assert.equal(
        error.message,
        "Cannot readStream: the store (it was closing when sql.end({ timeout }) cut this call off) is closed",
      );
      assert.equal((error.cause as { code?: string }).code, "CONNECTION_DESTROYED");
    });

    it("readStream() cut off while the store is open stays the retryable StoreUnavailableError: a failover looks the same", async () => {
      const error = await cutOff(false);
      assert.ok(error instanceof StoreUnavailableError, `got ${error}`);
      assert.equal(isRetryable(error), true);
      assert.equal((error.cause as { code?: string }).code, "CONNECTION_DESTROYED");
    });
  });
}
