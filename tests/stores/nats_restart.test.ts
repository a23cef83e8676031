// The NATS store across a server restart (its own node, killed with SIGKILL
// and started again on the same data): calls made while it is down fail as
// StoreUnavailableError, everything acknowledged before is still there
// after, and a waiter that was parked across the restart is woken by an
// append made after it (the store follows live again by itself, saying so
// in one line when following fails and one when it works again).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { type AppendResult, StoreUnavailableError } from "../../core/mod.ts";
import { keptLogger } from "../_kept_logger.ts";
import { createNatsStore } from "../../stores/nats/mod.ts";
import { type NatsServer, natsServerMissing, startPrivateNats } from "../_nats_server.ts";
import { messages, readEverything } from "../contract/_fixtures.ts";
import { connectNats, freshNames } from "./_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("NATS store across a server restart", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store across a server restart", () => {
    let server: NatsServer;
    let writerConnection: NatsConnection;
    let waiterConnection: NatsConnection;
    before(async () => {
      server = await startPrivateNats();
      writerConnection = await connectNats(server.urls);
      waiterConnection = await connectNats(server.urls);
    });
    after(async () => {
      await writerConnection.close();
      await waiterConnection.close();
      await server.stop();
    });

    it("fails while the server is down, keeps what was acknowledged, and wakes a parked waiter after", async () => {
      const names = freshNames();
      const options = { headers, ...names, timeout: 1000, resubscribeDelay: 200 };
      const writer = createNatsStore(writerConnection, options);
      const logger = keptLogger();
      const lines = logger.lines;
      const waiter = createNatsStore(waiterConnection, { ...options, logger });
      await writer.setup();
      try {
        const before = await writer.append("order-1", messages(3));
        const woken = waiter.waitForAppend(before.globalPosition, { timeout: 30_000 });
        await new Promise((resolve) => setTimeout(resolve, 200)); // its follower in place
        await server.nodes[0].kill();
        await assert.rejects(writer.append("order-1", messages(1)), (error) => {
          assert.ok(error instanceof StoreUnavailableError, String(error));
          assert.equal(error.operation, "append");
          return true;
        });
        await server.nodes[0].start();
        // The connection comes back by itself; appends work again once JetStream answers.
        let after: AppendResult | undefined;
        for (let i = 0; i < 100 && after === undefined; i++) {
          after = await writer.append("order-2", messages(1)).catch(() => undefined);
          if (after === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(after, "appends resumed after the restart");
        assert.equal(await woken, true, "the waiter parked across the restart was woken");
        // Logged when it started failing and when it worked again, not at every retry.
        assert.deepEqual(lines, [
          "warn: Store cannot follow appends; following again",
          "info: Store following appends again",
        ]);
        // The recovery line says how long following was down, as every outage line does.
        const { downMs } = logger.fields[1];
        assert.ok(typeof downMs === "number" && downMs > 0, `downMs=${downMs}`);
        const stored = await readEverything(writer);
        const ids = new Set(stored.map((m) => m.id));
        for (const p of before.positions) assert.ok(ids.has(p.id), "acknowledged before, kept");
        assert.ok(after.globalPosition > before.globalPosition);
      } finally {
        await writer.close();
        await waiter.close();
      }
    });
  });
}
