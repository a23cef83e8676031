// The NATS transport across a server restart (its own node, SIGKILLed and
// started again on the same data): the connections reconnect and resubscribe
// by themselves, so commands, queries and events registered before the
// restart are handled after it, with nothing registered again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/nats-core";
import { createBus } from "../../core/messaging/mod.ts";
import { type NatsServer, natsServerMissing, startPrivateNats } from "../_nats_server.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { eventually } from "./_bus_suite.ts";
import { busWorld } from "./_nats_bus_fixtures.ts";
import { keptLogger } from "../_kept_logger.ts";

if (natsServerMissing !== undefined) {
  describe("NATS transport across a server restart", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS transport across a server restart", () => {
    let server: NatsServer;
    let service: NatsConnection;
    let client: NatsConnection;
    before(async () => {
      server = await startPrivateNats();
      [service, client] = await Promise.all([
        connectNats(server.urls),
        connectNats(server.urls),
      ]);
    });
    after(async () => {
      await Promise.all([service.close(), client.close()]);
      await server.stop();
    });

    it("handles commands, queries and events registered before the restart", async () => {
      // A server killed right after an ack may not have kept it: that message comes
      // again after the ack wait (at least once), and its group waits for it.
      const logger = keptLogger();
      const world = await busWorld(service, { ackWait: 2000, logger });
      const handlers = createBus({ transport: await world.transport(service) });
      // While the client reconnects a call fails at once (retryable): this caller's bus
      // retries for as long as a restart takes, within the deadline, without a breaker.
      const caller = createBus({
        transport: await world.transport(client),
        retry: { maxAttempts: 200, initialDelay: 100, maxDelay: 500 },
        circuitBreaker: false,
      });
      try {
        const seen: number[] = [];
        handlers.handleCommand("counter/add", (c) => (c.data as { n: number }).n * 2);
        handlers.handleQuery("counter/show", () => ({ seen: seen.length }));
        handlers.subscribe("audit", ["counter/added"], (e) => {
          seen.push((e.data as { n: number }).n);
        });
        assert.equal(await caller.sendAndWait({ type: "counter/add", data: { n: 1 } }), 2);
        await caller.publish({ type: "counter/added", data: { n: 1 }, stream: "counter-1" });
        await eventually(() => seen.length === 1, 10_000, "the event before the restart");

        await server.nodes[0].kill();
        await server.nodes[0].start();

        // The bus retries while the connections come back; a generous deadline covers it.
        const timeout = 30_000;
        assert.equal(
          await caller.sendAndWait({ type: "counter/add", data: { n: 21 } }, { timeout }),
          42,
        );
        await caller.publish({ type: "counter/added", data: { n: 2 }, stream: "counter-1" }, {
          timeout,
        });
        await eventually(() => seen.includes(2), 30_000, "the event after the restart");
        assert.deepEqual([...new Set(seen)], [1, 2], "in order, at least once");
        assert.deepEqual(await caller.query("counter/show", {}, { timeout }), {
          seen: seen.length,
        });
        // Each handler loop said once that it could not pull, and once that it pulls again, with how long it could not.
        const again = logger.lines.flatMap((line, i) =>
          line === "info: NATS transport pulling again" ? [logger.fields[i]] : []
        );
        assert.ok(again.length > 0, logger.lines.join("\n"));
        for (const fields of again) {
          assert.ok(
            typeof fields.downMs === "number" && fields.downMs > 0,
            `downMs=${fields.downMs}`,
          );
        }
      } finally {
        await Promise.all([handlers.close(), caller.close()]);
      }
    });
  });
}
