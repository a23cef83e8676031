// A close that waits for a handler that never returns says so: the bus and
// the HTTP handler log a warning after SLOW_CLOSE_NOTICE.afterMs naming what
// they wait for, instead of a silent hang (a service given SIGTERM that never
// exits). A close that ends in time says nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsoleLogger,
  createConsumer,
  type Logger,
  SLOW_CLOSE_NOTICE,
} from "../../core/mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { readFile } from "node:fs/promises";
import { ROOT } from "../_paths.ts";
import { eventually } from "./_bus_suite.ts";
import { startHttpServer, TOKEN } from "./_http_fixture.ts";

function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createConsoleLogger({ write: (line) => void lines.push(line) }) };
}

/** A handler that runs until `release` is called. */
function stuck(): { handler: () => Promise<string>; started: Promise<void>; release: () => void } {
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<string>((resolve) => (release = () => resolve("done")));
  const began = new Promise<void>((resolve) => (started = resolve));
  return {
    handler: () => {
      started();
      return running;
    },
    started: began,
    release,
  };
}

const NOTICE_WAIT = SLOW_CLOSE_NOTICE.afterMs + 5_000;

describe("a close that waits", { concurrency: true }, () => {
  it("the bus's close names the handler it waits for, once it has waited a few seconds", async () => {
    const { logger, lines } = recording();
    const bus = createBus({
      name: "orders",
      transport: createInProcessTransport({ logger }),
      logger,
    });
    const { handler, started, release } = stuck();
    bus.handleCommand("orders/hang", handler);
    await bus.send({ type: "orders/hang", data: {} });
    await started;
    let closed = false;
    const closing = bus.close().then(() => void (closed = true));
    await eventually(() => lines.length > 0, NOTICE_WAIT, "the notice");
    assert.equal(closed, false);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^ordo warn: Closing the bus is still waiting bus="orders" seconds=5 /);
    assert.match(
      lines[0],
      /waitingFor="command \\"orders\/hang\\" \(1 running\)"/,
    );
    assert.match(lines[0], /never returns/);
    release();
    await closing;
    assert.equal(lines.length, 1);
  });

  it("the operations guide shows the line the bus writes, word for word", async () => {
    const guide = await readFile(`${ROOT}docs/guide/operations.md`, "utf8");
    const sample = guide.match(/^```\n(ordo warn: Closing the bus is still waiting .*)\n```$/m)
      ?.[1];
    assert.ok(sample !== undefined, "the guide has the sample line in a block of its own");
    const { logger, lines } = recording();
    const bus = createBus({ transport: createInProcessTransport({ logger }), logger });
    const { handler, started, release } = stuck();
    bus.handleCommand("orders/place", handler);
    await bus.send({ type: "orders/place", data: {} });
    await started;
    const closing = bus.close();
    await eventually(() => lines.length > 0, NOTICE_WAIT, "the notice");
    release();
    await closing;
    assert.equal(sample, lines[0]);
  });

  it("the bus's close names the query handler it waits for", async () => {
    const { logger, lines } = recording();
    const bus = createBus({
      name: "orders",
      transport: createInProcessTransport({ logger }),
      logger,
    });
    const { handler, started, release } = stuck();
    bus.handleQuery("orders/show", handler);
    const answer = bus.query("orders/show", {}, { timeout: 60_000 });
    await started;
    const closing = bus.close();
    await eventually(() => lines.length > 0, NOTICE_WAIT, "the notice");
    assert.match(lines[0], /^ordo warn: Closing the bus is still waiting bus="orders" seconds=5 /);
    assert.match(lines[0], /waitingFor="query \\"orders\/show\\" \(1 running\)"/);
    release();
    assert.equal(await answer, "done");
    await closing;
    assert.equal(lines.length, 1);
  });

  it("a close that ends in time logs nothing", async () => {
    const { logger, lines } = recording();
    const bus = createBus({ transport: createInProcessTransport({ logger }), logger });
    bus.handleQuery("orders/show", () => 1);
    assert.equal(await bus.query("orders/show", {}), 1);
    await bus.close();
    await new Promise((resolve) => setTimeout(resolve, SLOW_CLOSE_NOTICE.afterMs + 200));
    assert.deepEqual(lines, []);
  });

  it("the HTTP handler's close names the call it waits for", async () => {
    const { logger, lines } = recording();
    const inner = createInProcessTransport({ logger });
    const { handler, started, release } = stuck();
    const server = createBus({ transport: inner, logger });
    server.handleCommand("orders/hang", handler);
    const http = createHttpHandler({ transport: inner, auth: { bearer: TOKEN }, logger });
    const running = await startHttpServer(http);
    const client = createBus({
      transport: createHttpTransport({ url: running.url, auth: { bearer: TOKEN } }),
      logger,
    });
    const waited = client.sendAndWait({ type: "orders/hang", data: {} }, { timeout: 60_000 });
    await started;
    const closing = http.close();
    await eventually(
      () => lines.some((line) => line.includes("Closing the HTTP handler")),
      NOTICE_WAIT,
      "the notice",
    );
    const notice = lines.find((line) => line.includes("Closing the HTTP handler"))!;
    assert.match(notice, /waitingFor="1 call\(s\) in flight, sendAndWait \\"orders\/hang\\""/);
    release();
    await closing;
    assert.equal(await waited, "done");
    await client.close();
    await server.close();
    await running.close();
  });
  it("a consumer's stop names the partition it waits for, once it has waited a few seconds", async () => {
    const { logger, lines } = recording();
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
    const { handler, started, release } = stuck();
    const consumer = createConsumer(store, {
      group: "billing",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      logger,
      handler: async () => void await handler(),
    });
    await started;
    let stopped = false;
    const stopping = consumer.stop().then(() => void (stopped = true));
    await eventually(() => lines.length > 0, NOTICE_WAIT, "the notice");
    assert.equal(stopped, false);
    assert.match(
      lines[0],
      /^ordo warn: Stopping the consumer is still waiting group="billing" seconds=\d+ waitingFor="partition 0 \(catching-up\)"/,
    );
    assert.match(lines[0], /never returns/);
    release();
    await stopping;
    assert.equal(lines.length, 1, "said once");
  });
});
