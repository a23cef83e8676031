// How long a NATS outage lasted, as the outage lines say it (`downMs`), next
// to how long the server was really down (measured here around killing and
// starting the test's own nats-server): never less. The first failure of a
// request comes only after its timeout (5 s), and a pull's after its missed
// heartbeats, so counting from the failure understated every outage by up to
// 5 s; the lines count from the failed request's start or the connection's
// loss. And the store says it follows appends again once the server answers,
// not at the next append (which may be hours away).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { createConsumer } from "../../core/consumers/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { keptLogger } from "../_kept_logger.ts";
import { until } from "../_until.ts";
import { busWorld } from "../messaging/_nats_bus_fixtures.ts";
import { freshNames, type PrivateNatsFixture, usePrivateNats } from "./_nats_fixtures.ts";

/** Milliseconds the server stays down: under the 5 s request timeout, where the old count was short most. */
const DOWN = 4_000;

/**
 * Kills the fixture's server, keeps it down `DOWN` ms, starts it: how long
 * it was really down, and when it was killed (`performance.now()`).
 */
async function outage(nats: PrivateNatsFixture): Promise<{ down: number; killed: number }> {
  await nats.server.nodes[0].kill();
  const killed = performance.now();
  await new Promise((resolve) => setTimeout(resolve, DOWN));
  const down = performance.now() - killed;
  await nats.server.nodes[0].start();
  return { down, killed };
}

/**
 * Waits for `line` and checks its `downMs`: at least the real outage, and
 * the whole span from the kill to the line, but for the moments the client
 * takes to see its socket close (a count from the first failure came short
 * by a request timeout or a pull's missed heartbeats, 1.5 to 5 s).
 */
async function saysDown(
  logger: ReturnType<typeof keptLogger>,
  line: string,
  span: { down: number; killed: number },
  what: string,
): Promise<void> {
  await until(
    () => logger.lines.includes(line),
    () => `${what}'s recovery line; logged: ${logger.lines.join(" | ")}`,
    30_000,
  );
  const whole = performance.now() - span.killed;
  const said = downs(logger, line);
  atLeast(said, span.down, what);
  atLeast(said, whole - SLACK, `${what} (from the kill to the line)`);
}

/** What the client may take to hear its connection was lost, and the line to be seen here, in ms. */
const SLACK = 1_000;

/** The `downMs` of every line `line` logged so far. */
function downs(logger: ReturnType<typeof keptLogger>, line: string): unknown[] {
  return logger.lines.flatMap((l, i) => (l === line ? [logger.fields[i].downMs] : []));
}

function atLeast(said: unknown[], down: number, what: string): void {
  assert.ok(said.length > 0, `${what}: no line`);
  for (const downMs of said) {
    assert.ok(
      typeof downMs === "number" && downMs >= down,
      `${what}: downMs=${downMs}, the server was down ${Math.round(down)} ms`,
    );
  }
}

if (natsServerMissing !== undefined) {
  describe("NATS outage lines", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS outage lines", () => {
    const nats = usePrivateNats();

    it("the store's follower: downMs at least the real outage, and following again said without an append", async () => {
      const logger = keptLogger();
      const store = createNatsStore(nats.nc, { headers, logger, ...freshNames() });
      await store.setup();
      try {
        const { globalPosition } = await store.append("order-1", [{ type: "A", data: {} }]);
        let woken: boolean | undefined;
        void store.waitForAppend(globalPosition, { timeout: 120_000 }).then((w) => (woken = w));
        await new Promise((resolve) => setTimeout(resolve, 300)); // its follower in place
        const span = await outage(nats);
        // No append: the line comes once the server answers the follower again.
        await saysDown(logger, "info: Store following appends again", span, "the store");
        assert.equal(woken, undefined, "nothing was appended: the waiter still waits");
        assert.deepEqual(logger.lines, [
          "warn: Store cannot follow appends; following again",
          "info: Store following appends again",
        ]);
        // And it does follow: an append now wakes the waiter.
        await store.append("order-1", [{ type: "B", data: {} }]);
        await until(() => woken === true, "the waiter woken by the append after");
      } finally {
        await store.close();
      }
    });

    it("a consumer's NATS storage: downMs at least the real outage", async () => {
      const logger = keptLogger();
      const store = createNatsStore(nats.nc, { headers, logger, ...freshNames() });
      await store.setup();
      const storage = createNatsConsumerStorage(nats.nc, {
        headers,
        logger,
        bucket: `span_${freshNames().subjectPrefix}`,
      });
      await storage.setup();
      await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
      const consumer = createConsumer(store, {
        group: "totals",
        source: { category: "order" },
        storage,
        logger,
        // Storage work (lease renewal, control reads) goes on throughout the outage.
        controlInterval: 200,
        retry: { initialDelay: 50, maxDelay: 200 },
        handler: () => {},
      });
      try {
        await consumer.caughtUp;
        const span = await outage(nats);
        await saysDown(logger, "info: Consumer storage works again", span, "the storage");
      } finally {
        await consumer.close();
        storage.close();
        await store.close();
      }
    });

    it("the NATS transport's pulling loop: downMs at least the real outage", async () => {
      const logger = keptLogger();
      const world = await busWorld(nats.nc, { logger });
      const bus = createBus({ transport: await world.transport(nats.nc) });
      try {
        const registration = bus.subscribe("audit", ["counter/added"], () => {});
        await registration.ready;
        const span = await outage(nats);
        await saysDown(logger, "info: NATS transport pulling again", span, "the transport");
      } finally {
        await bus.close();
      }
    });
  });
}
