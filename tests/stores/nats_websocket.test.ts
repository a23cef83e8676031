// The NATS store and transport over WebSocket (`wsconnect` of
// @nats-io/nats-core), as browsers and edge isolates connect: the server's
// websocket listener (2.9 has one), the runtime's global WebSocket. Deno and
// Bun have one; Node 20 does not (the connection would never settle), so there
// the test is skipped and says so.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers, wsconnect } from "@nats-io/nats-core";
import type { NatsConnection } from "@nats-io/nats-core";
import { createBus } from "../../core/messaging/mod.ts";
import { createNatsStore } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { type NatsServer, natsServerMissing, startNats } from "../_nats_server.ts";
import { messages } from "../contract/_fixtures.ts";
import { freshNames } from "./_nats_fixtures.ts";

const noWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket !== "function"
  ? "SKIPPED, no global WebSocket in this runtime (Node 20): pass a ws-based wsFactory to wsconnect, or run Node with --experimental-websocket"
  : undefined;
const skip = natsServerMissing ?? noWebSocket;

if (skip !== undefined) {
  describe("NATS over WebSocket", () => {
    it.skip(skip, () => {});
  });
} else {
  describe("NATS over WebSocket", () => {
    let server: NatsServer & { release(): Promise<void> };
    let nc: NatsConnection;
    before(async () => {
      server = await startNats();
      nc = await wsconnect({ servers: server.nodes[0].wsUrl! });
    });
    after(async () => {
      await nc.close();
      await server.release();
    });

    it("appends, reads, follows live and runs a command through wsconnect", async () => {
      const store = createNatsStore(nc, { headers, ...freshNames() });
      await store.setup();
      const names = freshNames();
      const transport = createNatsTransport(nc, {
        headers,
        store,
        subjectPrefix: names.subjectPrefix,
        commandStream: names.stream,
        ledgerBucket: names.subjectPrefix,
      });
      await transport.setup();
      const bus = createBus({ transport });
      try {
        const first = await store.append("order-1", messages(2), { expectedVersion: "no-stream" });
        const woken = store.waitForAppend(first.globalPosition, { timeout: 10_000 });
        await store.append("order-1", messages(1), { expectedVersion: 1 });
        assert.equal(await woken, true);
        assert.deepEqual((await store.readStream("order-1")).map((m) => m.streamVersion), [
          0,
          1,
          2,
        ]);
        assert.equal((await store.readAll().toArray()).length, 3);
        bus.handleCommand("echo/say", (command) => command.data);
        assert.equal(
          await bus.sendAndWait({ type: "echo/say", data: "over websocket" }),
          "over websocket",
        );
      } finally {
        await bus.close();
        await store.close();
      }
    });
  });
}
