// The NATS store over a connection that closes for good, which a NATS
// connection never recovers from: the client gives up reconnecting (here
// after two tries, as it does after ten by default), or the application
// closes it first. The store says so once, with the cause and what to do;
// every call fails with ClosedError naming the connection; consumers on it
// stop; and nothing it holds keeps the process alive.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, headers } from "@nats-io/transport-node";
import { ClosedError, createConsumer } from "../../core/mod.ts";
import { createMemoryStore } from "../../stores/memory/mod.ts";
import { keptLogger } from "../_kept_logger.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { natsServerMissing, startNats, startPrivateNats } from "../_nats_server.ts";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";
import { CURRENT_RUNTIME } from "../_runtimes.ts";
import { messages } from "../contract/_fixtures.ts";
import { freshNames } from "./_nats_fixtures.ts";

function closedConnection(operation: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ClosedError, String(error));
    assert.equal(error.component, "NATS connection");
    assert.equal(error.message, `Cannot ${operation}: the NATS connection is closed`);
    return true;
  };
}

if (natsServerMissing !== undefined) {
  describe("NATS store over a closed connection", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store over a closed connection", () => {
    it("says once at error level that the client gave up, stops its consumers, and refuses calls with ClosedError", async () => {
      const server = await startPrivateNats();
      const nc = await connect({
        servers: [...server.urls],
        maxReconnectAttempts: 2,
        reconnectTimeWait: 100,
      });
      const logger = keptLogger();
      const store = createNatsStore(nc, { headers, logger, ...freshNames(), timeout: 1000 });
      const storage = createNatsConsumerStorage(nc, {
        headers,
        logger,
        bucket: "gives_up",
        timeout: 1000,
      });
      try {
        await store.setup();
        await storage.setup();
        await store.append("order-1", messages(2));
        const consumer = createConsumer(store, {
          group: "totals",
          source: { category: "order" },
          storage,
          handler: () => {},
        });
        await consumer.caughtUp;
        const waiting = store.waitForAppend(10n ** 9n);
        await server.nodes[0].kill();
        assert.ok((await nc.closed()) instanceof Error, "the client gave up with an error");
        // The consumer stops (as after its store's close: done resolves) rather than waiting forever.
        await consumer.done;
        const status = await consumer.status();
        assert.deepEqual([status.state, status.stoppedBy?.name], ["stopped", "ClosedError"]);
        assert.match(status.stoppedBy?.message ?? "", /the NATS connection is closed$/);
        assert.match(
          status.unread ?? "",
          /^head: Cannot headPosition: the NATS connection is closed; /,
        );
        assert.equal(await waiting, false, "a wait in progress ends (the next call says why)");
        await assert.rejects(store.append("order-1", messages(1)), closedConnection("append"));
        await assert.rejects(store.headPosition(), closedConnection("headPosition"));
        await assert.rejects(store.waitForAppend(0n), closedConnection("waitForAppend"));
        await assert.rejects(storage.checkpoints.load("totals", 0), closedConnection("load"));
        const closedLines = logger.lines.filter((line) => line.includes("NATS connection"));
        assert.deepEqual(closedLines, [
          "error: NATS connection closed for good; the store stops",
          "error: NATS connection closed for good; the consumer storage stops",
        ]);
        const { hint } = logger.fields[logger.lines.indexOf(closedLines[0])];
        assert.match(String(hint), /maxReconnectAttempts: -1/);
        // The follower's failures while the client gave up are not blamed on a leader change.
        assert.ok(
          !logger.fields.some((f) => /leader change/.test(String(f.error))),
          logger.lines.join("\n"),
        );
      } finally {
        await store.close();
        storage.close();
        await server.stop();
      }
    });

    it("the consumer storage alone on NATS (the store elsewhere) says once at error level that the client gave up; its consumer stops", async () => {
      const server = await startPrivateNats();
      const nc = await connect({
        servers: [...server.urls],
        maxReconnectAttempts: 2,
        reconnectTimeWait: 100,
      });
      const storageLogger = keptLogger();
      const consumerLogger = keptLogger();
      const store = createMemoryStore({ logger: consumerLogger });
      const storage = createNatsConsumerStorage(nc, {
        headers,
        logger: storageLogger,
        bucket: "alone",
        timeout: 1000,
      });
      try {
        await storage.setup();
        await store.append("order-1", messages(2));
        const consumer = createConsumer(store, {
          group: "totals",
          source: { category: "order" },
          storage,
          handler: () => {},
        });
        await consumer.caughtUp;
        await server.nodes[0].kill();
        assert.ok((await nc.closed()) instanceof Error, "the client gave up with an error");
        await consumer.done;
        // Without its own line, nothing said why: the consumer's own stop is quiet (info).
        assert.deepEqual(storageLogger.lines, [
          "error: NATS connection closed for good; the consumer storage stops",
        ]);
        const fields = storageLogger.fields[0];
        assert.equal(fields.bucket, "alone");
        assert.match(String(fields.hint), /maxReconnectAttempts: -1/);
        assert.match(
          String(fields.hint),
          /every call of the consumer storage now fails with ClosedError/,
        );
        await assert.rejects(storage.checkpoints.load("totals", 0), closedConnection("load"));
        // It answers, where it rejected with the storage's ClosedError: stopped, and why.
        const status = await consumer.status();
        assert.equal(status.state, "stopped");
        assert.equal(status.stoppedBy?.name, "ClosedError");
        assert.match(status.stoppedBy?.message ?? "", /the NATS connection is closed$/);
        assert.equal(
          status.unread,
          "parked count: Cannot parked.summary: the NATS connection is closed",
        );
        assert.equal(status.head, 2n, "the store (in memory) is read");
      } finally {
        await store.close();
        storage.close();
        await server.stop();
      }
    });

    it("a call waiting for its answer when the connection closes rejects with ClosedError at once, not a timeout", async () => {
      const server = await startNats();
      const nc = await connect({ servers: [...server.urls] });
      // Something listens on the store's API subjects and never answers: a call stays in flight.
      const silent = nc.subscribe("silent.>");
      const store = createNatsStore(nc, {
        headers,
        logger: keptLogger(),
        ...freshNames(),
        apiPrefix: "silent",
        timeout: 10_000,
      });
      try {
        const waiting = store.headPosition();
        await new Promise((resolve) => setTimeout(resolve, 200));
        const started = Date.now();
        await nc.close();
        // Left to its deadline it failed as a retryable StoreUnavailableError ("did not answer in time").
        await assert.rejects(waiting, closedConnection("headPosition"));
        assert.ok(Date.now() - started < 2_000, `rejected after ${Date.now() - started} ms`);
      } finally {
        silent.unsubscribe();
        await store.close();
        await server.release();
      }
    });

    it("a consumer whose storage call is in flight when the connection closes for good stops without a retry line", async () => {
      const server = await startPrivateNats();
      const nc = await connect({
        servers: [...server.urls],
        maxReconnectAttempts: 2,
        reconnectTimeWait: 100,
      });
      const logger = keptLogger();
      const store = createMemoryStore({ logger });
      const storage = createNatsConsumerStorage(nc, {
        headers,
        logger: keptLogger(),
        bucket: "in_flight",
        timeout: 1000,
      });
      try {
        await storage.setup();
        await store.append("order-1", messages(1));
        let entered!: () => void;
        const handling = new Promise<void>((resolve) => (entered = resolve));
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const consumer = createConsumer(store, {
          group: "totals",
          source: { category: "order" },
          storage,
          controlInterval: 10_000, // the commit, not the next announcement, meets the close
          handler: async () => {
            entered();
            await held;
          },
        });
        await handling;
        await server.nodes[0].kill();
        // The commit's calls go out while the client reconnects, and wait as it gives up.
        release();
        assert.ok((await nc.closed()) instanceof Error, "the client gave up with an error");
        await consumer.done;
        // Before, the commit waited for its deadline: "warn: Consumer storage failed; retrying".
        assert.deepEqual(logger.lines, [
          "info: Consumer stopped: what it reads or writes is closed",
        ]);
        assert.ok(logger.fields[0].error instanceof ClosedError, String(logger.fields[0].error));
      } finally {
        await store.close();
        storage.close();
        await server.stop();
      }
    });

    it("after the application closes the connection first, says so and lets the process exit", async () => {
      const server = await startNats();
      try {
        const result = await run(
          CURRENT_RUNTIME.command,
          CURRENT_RUNTIME.args("tests/stores/_nats_closed_exit_child.ts"),
          {
            cwd: ROOT,
            timeout: 60_000,
            env: { ORDO_NATS_URL: server.urls[0], ORDO_NAMES: JSON.stringify(freshNames()) },
          },
        );
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.trim().split("\n");
        assert.deepEqual(lines.filter((line) => !line.startsWith("info")), [
          "warn: NATS connection closed while the store is open; the store stops",
          "warn: NATS connection closed while the consumer storage is open; the consumer storage stops",
          "warn: NATS connection closed while the transport is open; the transport stops",
          "exited",
        ], result.stdout + result.stderr);
      } finally {
        await server.release();
      }
    });
  });
}
