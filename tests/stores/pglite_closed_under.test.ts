// PGlite closed under a call made in the same tick (a consumer's stop() or a
// read not awaited before pg.close()): the call passes PGlite's own closed
// check and then fails inside its WebAssembly with a bare TypeError. ordo
// reports it as it reports any call after pg.close(): a ClosedError saying
// to close the store and its consumers first, never the TypeError.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { ClosedError, createConsumer } from "../../mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  pgliteDriver,
} from "../../stores/postgres/mod.ts";
import { keptLogger } from "../_kept_logger.ts";

describe("PGlite closed under a call", () => {
  it("the driver's query, exec and transaction reject as PGlite does once closed", async () => {
    const pg = await PGlite.create();
    const driver = pgliteDriver(pg);
    const closing = pg.close();
    const calls = [
      driver.query("SELECT 1", []),
      driver.exec("SELECT 1"),
      driver.transaction((_tx, query) => query("SELECT 1", [])),
    ];
    await closing;
    for (const call of calls) {
      await assert.rejects(call, (error: Error) => {
        assert.equal(error.message, "PGlite is closed", String(error.cause ?? error));
        return true;
      });
    }
  });

  it("a store's read rejects with a ClosedError naming the order to close in", async () => {
    const pg = await PGlite.create();
    const store = createPGliteStore(pg);
    await store.migrate();
    const closing = pg.close();
    const read = store.readStream("order-1");
    await closing;
    await assert.rejects(read, (error: unknown) => {
      assert.ok(error instanceof ClosedError, String(error));
      assert.match(error.message, /stop consumers and close the store first/);
      return true;
    });
    await store.close();
  });

  it("a consumer stopped without await before pg.close() logs no TypeError", async () => {
    const pg = await PGlite.create();
    const store = createPGliteStore(pg);
    await store.migrate();
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    const logger = keptLogger();
    const consumer = createConsumer(store, {
      group: "g",
      source: { category: "order" },
      storage: createPGliteConsumerStorage(pg),
      handler: () => {},
      logger,
    });
    await consumer.caughtUp;
    const stopped = consumer.stop();
    const closed = store.close();
    await pg.close();
    await Promise.all([stopped, closed]);
    const typeErrors = logger.fields.filter((fields) => fields.error instanceof TypeError);
    assert.deepEqual(typeErrors.map((fields) => String(fields.error)), []);
  });
});
