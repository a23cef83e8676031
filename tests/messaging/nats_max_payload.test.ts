// A handler's answer larger than the NATS server's max_payload, against a
// server started with a small one (64 KiB). The handler's work is done, so a
// command's is not handled again: it runs once, the failure is logged where it
// ran, the command is acknowledged (not redelivered, not parked), and the
// sender gets a ValidationError at `result` saying so, an answer that fits. A
// query's caller gets the same error instead of waiting for its deadline.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBus } from "../../core/messaging/mod.ts";
import { ValidationError } from "../../core/mod.ts";
import { natsServerMissing, startPrivateNats } from "../_nats_server.ts";
import { keptLogger } from "../_kept_logger.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { busWorld } from "./_nats_bus_fixtures.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_PAYLOAD = 64 * 1024;

function overMaxPayload(operation: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.path, "result");
    assert.match(error.message, new RegExp(`${operation}.*max_payload of ${MAX_PAYLOAD} bytes`));
    return true;
  };
}

if (natsServerMissing !== undefined) {
  describe("NATS transport with an answer over max_payload", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS transport with an answer over max_payload", () => {
    it("sendAndWait() gets a ValidationError; the handler ran once and its command is acknowledged", async () => {
      const server = await startPrivateNats({ maxPayload: MAX_PAYLOAD });
      const nc = await connectNats(server.urls);
      const logger = keptLogger();
      const world = await busWorld(nc, { logger });
      const bus = createBus({ transport: await world.transport(nc), logger });
      try {
        let runs = 0;
        const parked: unknown[] = [];
        const registration = bus.handleCommand("report/build", (command) => {
          const { size } = command.data as { size: number };
          runs += size > 0 ? 1 : 0;
          return "x".repeat(size);
        }, { onParked: (entry) => parked.push(entry) });
        await registration.ready;
        // Generous deadline: the machine may be loaded; the old code never answers.
        await assert.rejects(
          bus.sendAndWait({ type: "report/build", data: { size: MAX_PAYLOAD + 1 } }, {
            timeout: 20_000,
          }),
          overMaxPayload('sendAndWait "report/build"'),
        );
        assert.ok(
          logger.lines.includes("error: Handler result is too large for NATS"),
          logger.lines.join("\n"),
        );
        // The next command of the group is handled: the large one no longer holds the queue.
        assert.equal(
          await bus.sendAndWait({ type: "report/build", data: { size: 0 } }, { timeout: 20_000 }),
          "",
        );
        await sleep(1000);
        assert.equal(runs, 1, "the handler ran once: its command was not delivered again");
        assert.deepEqual(parked, []);
      } finally {
        await bus.close();
        await nc.close();
        await server.stop();
      }
    });

    it("query() gets a ValidationError instead of waiting for its deadline", async () => {
      const server = await startPrivateNats({ maxPayload: MAX_PAYLOAD });
      const nc = await connectNats(server.urls);
      const logger = keptLogger();
      const world = await busWorld(nc, { logger });
      const bus = createBus({ transport: await world.transport(nc), logger });
      try {
        await bus.handleQuery("report/show", () => "x".repeat(MAX_PAYLOAD + 1)).ready;
        await assert.rejects(
          bus.query("report/show", null, { timeout: 20_000 }),
          overMaxPayload('query "report/show"'),
        );
        assert.ok(
          logger.lines.includes("error: Handler result is too large for NATS"),
          logger.lines.join("\n"),
        );
      } finally {
        await bus.close();
        await nc.close();
        await server.stop();
      }
    });
  });
}
