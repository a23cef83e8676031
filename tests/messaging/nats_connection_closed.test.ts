// The NATS transport and the bus over a connection that is lost for a while
// or closed for good. While the client reconnects, calls wait for it within
// their deadline (failing at once opened the bus's breaker in a blip), and
// one whose deadline passes says the connection was reconnecting. Once
// the connection is closed (the client gave up reconnecting, or the
// application closed it), the transport says so once, its handler loops end,
// `ready` of a later registration rejects, and every call rejects with
// ClosedError naming the connection. A command too large for the server's
// max_payload is a ValidationError, as an append is.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect } from "@nats-io/transport-node";
import { createBus } from "../../core/messaging/mod.ts";
import { ClosedError, TimeoutError, ValidationError } from "../../core/mod.ts";
import { natsServerMissing, startNats, startPrivateNats } from "../_nats_server.ts";
import { keptLogger } from "../_kept_logger.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { busWorld } from "./_nats_bus_fixtures.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function closedConnection(operation: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ClosedError, String(error));
    assert.equal(error.message, `Cannot ${operation}: the NATS connection is closed`);
    return true;
  };
}

if (natsServerMissing !== undefined) {
  describe("NATS transport over a lost connection", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS transport over a lost connection", () => {
    it("while the client reconnects, a call waits for it within its deadline instead of failing at once", async () => {
      const server = await startPrivateNats();
      const nc = await connectNats(server.urls);
      const world = await busWorld(nc);
      // One attempt, no breaker: what the transport does with the call is what the caller sees.
      const bus = createBus({
        transport: await world.transport(nc),
        retry: false,
        circuitBreaker: false,
      });
      try {
        bus.handleCommand("counter/add", (c) => (c.data as { n: number }).n * 2);
        assert.equal(await bus.sendAndWait({ type: "counter/add", data: { n: 1 } }), 2);
        await server.nodes[0].kill();
        const started = Date.now();
        // Failing at once made every attempt of a retrying call fail within milliseconds,
        // which opened the bus's breaker in a blip of a second.
        await assert.rejects(
          bus.sendAndWait({ type: "counter/add", data: { n: 2 } }, { timeout: 2000 }),
          (error) => {
            assert.ok(error instanceof TimeoutError, String(error));
            // The hint asked only whether a handler is registered: this one is, and the
            // connection was what was missing.
            assert.match(
              error.message,
              /: the NATS connection to 127\.0\.0\.1:\d+ was reconnecting during the wait \(\d+\.\d s of it, and still is\); if not that, no handler answered; /,
            );
            return true;
          },
        );
        assert.ok(Date.now() - started >= 1900, "waited for the connection until its deadline");
        await server.nodes[0].start();
        let answer: unknown;
        for (let i = 0; i < 100 && answer === undefined; i++) {
          answer = await bus.sendAndWait({ type: "counter/add", data: { n: 21 } }, {
            timeout: 5000,
          }).catch(() => sleep(200).then(() => undefined));
        }
        assert.equal(answer, 42, "calls work again once the connection is back");
        // An outage over before a call started is not its cause.
        await assert.rejects(
          bus.sendAndWait({ type: "counter/none", data: {} }, { timeout: 300 }),
          (error) =>
            error instanceof TimeoutError &&
            /: no handler answered; is one registered for "counter\/none"/.test(error.message) &&
            !error.message.includes("reconnecting"),
        );
      } finally {
        await bus.close();
        await nc.close();
        await server.stop();
      }
    });

    it("when the client gives up reconnecting, says so once, ends its loops and refuses with ClosedError", async () => {
      const server = await startPrivateNats();
      const setup = await connectNats(server.urls);
      const logger = keptLogger();
      // The set-up connection stays open till the end: its transport would say it closed.
      const world = await busWorld(setup, { logger });
      const nc = await connect({
        servers: [...server.urls],
        maxReconnectAttempts: 2,
        reconnectTimeWait: 100,
      });
      const bus = createBus({ transport: await world.transport(nc), logger });
      try {
        const handled = bus.handleCommand("counter/add", () => 1);
        await handled.ready;
        const group = bus.subscribe("audit", ["counter/added"], () => {});
        await group.ready;
        await server.nodes[0].kill();
        assert.ok((await nc.closed()) instanceof Error, "the client gave up with an error");
        // The loops end: stopping them returns at once.
        await Promise.all([handled.stop(), group.stop()]);
        await assert.rejects(
          bus.handleCommand("counter/other", () => 1).ready,
          closedConnection('deliver to group "ordo:command:counter/other"'),
        );
        await assert.rejects(
          bus.sendAndWait({ type: "counter/add", data: {} }, { timeout: 1000 }),
          closedConnection('sendAndWait "counter/add"'),
        );
        await assert.rejects(
          bus.send({ type: "counter/add", data: {} }),
          closedConnection('send "counter/add"'),
        );
        await assert.rejects(
          bus.publish({ type: "counter/added", data: {}, stream: "counter-1" }),
          closedConnection('publish "counter/added"'),
        );
        await assert.rejects(
          bus.query("counter/show", {}, { timeout: 1000 }),
          closedConnection('query "counter/show"'),
        );
        await sleep(500);
        assert.deepEqual(
          logger.lines.filter((line) => !line.startsWith("info")).filter((line) =>
            !line.includes("cannot pull")
          ),
          ["error: NATS connection closed for good; the transport stops"],
        );
      } finally {
        await bus.close();
        await setup.close();
        await server.stop();
      }
    });

    it("after the application closed the connection, every call rejects with ClosedError naming it", async () => {
      const server = await startNats();
      const setup = await connectNats(server.urls);
      const world = await busWorld(setup);
      const nc = await connectNats(server.urls);
      const bus = createBus({ transport: await world.transport(nc) });
      try {
        await nc.close();
        await assert.rejects(
          bus.send({ type: "orders/place", data: {} }),
          closedConnection('send "orders/place"'),
        );
        await assert.rejects(
          bus.sendAndWait({ type: "orders/place", data: {} }, { timeout: 1000 }),
          closedConnection('sendAndWait "orders/place"'),
        );
        await assert.rejects(
          bus.query("orders/show", {}, { timeout: 1000 }),
          closedConnection('query "orders/show"'),
        );
        await assert.rejects(
          bus.handleCommand("orders/place", () => {}).ready,
          closedConnection('deliver to group "ordo:command:orders/place"'),
        );
        await assert.rejects(
          bus.handleQuery("orders/show", () => 1).ready,
          closedConnection('handle query "orders/show"'),
        );
      } finally {
        await bus.close();
        await setup.close();
        await server.release();
      }
    });

    it("refuses a command over the server's max_payload with a ValidationError", async () => {
      const server = await startNats();
      const nc = await connectNats(server.urls);
      const world = await busWorld(nc);
      const bus = createBus({ transport: await world.transport(nc) });
      try {
        const big = "x".repeat(nc.info!.max_payload + 1);
        const calls = [
          () => bus.send({ type: "orders/place", data: { big } }),
          () => bus.sendAndWait({ type: "orders/place", data: { big } }, { timeout: 1000 }),
        ];
        for (const call of calls) {
          await assert.rejects(call(), (error) => {
            assert.ok(error instanceof ValidationError, String(error));
            assert.match(error.message, /max_payload/);
            return true;
          });
        }
      } finally {
        await bus.close();
        await nc.close();
        await server.release();
      }
    });
  });
}
