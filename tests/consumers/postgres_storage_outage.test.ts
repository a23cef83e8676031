// A consumer whose PostgreSQL consumer storage goes away while it runs: the
// server is stopped and started again. It says the storage failed, keeps
// trying, and once it works again says so once, with how long it was down,
// and handles the message it was holding. The messages come from a memory
// store, so the only thing that fails is the storage. Through each supported
// postgres.js (3.4 and 4).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createConsoleLogger, createConsumer, createMemoryStore } from "../../mod.ts";
import { createPostgresConsumerStorage } from "../../stores/postgres/mod.ts";
import { POSTGRES_DRIVERS } from "../_postgres_drivers.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { until } from "../_until.ts";

for (const driver of POSTGRES_DRIVERS) {
  describe(`a consumer whose PostgreSQL storage was stopped and started (${driver.name})`, () => {
    const pg = usePostgres({ max: 2, schema: "outage", driver: driver.postgres });

    it("logs one line when its storage works again, saying how long it was down", async () => {
      const lines: string[] = [];
      const logger = createConsoleLogger({ write: (line) => void lines.push(line) });
      const store = createMemoryStore({ logger });
      // Its own client: the shared pool's connections stay out of the outage.
      const sql = pg.client({ max: 2 });
      const storage = createPostgresConsumerStorage(sql, { schema: "outage" });
      const handled: string[] = [];
      const consumer = createConsumer(store, {
        group: "totals",
        source: { category: "order" },
        storage,
        logger,
        controlInterval: false,
        retry: { initialDelay: 20, maxDelay: 100 },
        handler: (message) => void handled.push(message.streamName),
      });
      try {
        await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
        await until(() => handled.length === 1, "the first message");
        // Idle (no transaction open) when the server stops.
        await until(async () => (await consumer.status()).lag === 0, "the first commit");
        await pg.server.halt();
        let halted = true;
        try {
          await store.append("order-2", [{ type: "OrderPlaced", data: {} }]);
          await until(
            () => lines.some((line) => line.startsWith("ordo warn: Consumer storage failed")),
            () => `the failure line, in:\n${lines.join("\n")}`,
          );
          const failedAt = performance.now();
          await new Promise((resolve) => setTimeout(resolve, 400));
          assert.ok(
            !lines.some((line) => line.includes("works again")),
            "not while the server is down",
          );
          await pg.server.start();
          halted = false;
          await until(
            () => lines.some((line) => line.includes("Consumer storage works again")),
            () => `the line saying it works again, in:\n${lines.join("\n")}`,
          );
          const downAtLeast = performance.now() - failedAt;
          const again = lines.filter((line) => line.includes("works again"));
          assert.equal(again.length, 1, lines.join("\n"));
          const match = again[0].match(
            /^ordo info: Consumer storage works again group="totals" downMs=(\d+)$/,
          );
          assert.ok(match, again[0]);
          // From its first failure, which came at least as early as the line this test saw.
          assert.ok(Number(match[1]) >= 400 && Number(match[1]) <= downAtLeast + 50, again[0]);
          // Every failure line came before it: the outage is over.
          const index = lines.indexOf(again[0]);
          assert.ok(
            lines.slice(index + 1).every((line) => !line.includes("failed")),
            lines.join("\n"),
          );
          await until(() => handled.includes("order-2"), "the message held during the outage");
        } finally {
          if (halted) await pg.server.start();
        }
      } finally {
        await consumer.close();
      }
    });
  });
}
