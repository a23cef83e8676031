// Event streams of the HTTP transport over a real node:http server, from both
// of the handler's sources (the inner transport's subscribe; an event store
// read from the client's position): the SSE wire format and Last-Event-ID,
// following live, dropped connections mid-stream with no event lost and order
// kept (a fast-check property over publish sequences and drop points),
// retries and parking on the client, and stopping.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { type ParkedMessage, silentLogger } from "../../core/mod.ts";
import {
  type Bus,
  createBus,
  type PublishReceipt,
  type Transport,
} from "../../core/messaging/mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import {
  createHttpHandler,
  createHttpTransport,
  type HttpHandler,
} from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { ALL_EVENTS, type RunningServer, startHttpServer, TOKEN } from "./_http_fixture.ts";
import { eventually } from "./_bus_suite.ts";
import { keptLogger } from "../_kept_logger.ts";

interface Source {
  readonly name: string;
  readonly make: () => { transport: Transport; handler: HttpHandler; close: () => Promise<void> };
}

const SOURCES: Source[] = [
  {
    name: "the inner transport's subscribe (in-process)",
    make: () => {
      const transport = createInProcessTransport({ logger: silentLogger });
      return {
        transport,
        handler: createHttpHandler({ transport, auth: { bearer: TOKEN, allow: ALL_EVENTS } }),
        close: () => transport.close(),
      };
    },
  },
  {
    name: "an event store read from the client's position (store-backed, memory store)",
    make: () => {
      const store = createMemoryStore({ logger: silentLogger });
      const transport = createStoreBackedTransport(store, {
        storage: createMemoryConsumerStorage(),
      });
      return {
        transport,
        handler: createHttpHandler({
          transport,
          auth: { bearer: TOKEN, allow: ALL_EVENTS },
          events: store,
        }),
        close: () => transport.close(),
      };
    },
  },
];

/** Raw frames of an event stream up to and including the `ready` frame. */
async function framesUntilReady(
  url: string,
  headers: Record<string, string> = {},
): Promise<string[]> {
  const controller = new AbortController();
  const response = await fetch(`${url}/events/stream?group=raw&names=orders/placed`, {
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.equal(response.headers.get("cache-control"), "no-cache");
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("event: ready\n")) {
    const { done, value } = await reader.read();
    assert.ok(!done, "the stream ended before the ready frame");
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return text.split("\n\n").filter((frame) => frame !== "" && !frame.startsWith(":"));
}

for (const source of SOURCES) {
  describe(`HTTP event streams from ${source.name}`, () => {
    let server: RunningServer;
    let inner: Bus;
    let closeInner: () => Promise<void>;
    const clients: Transport[] = [];

    before(async () => {
      const made = source.make();
      inner = createBus({ transport: made.transport });
      closeInner = made.close;
      server = await startHttpServer(made.handler);
    });
    after(async () => {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
      await inner.close(); // its deadline timers too
      await closeInner();
    });

    /** A client; `opened` counts event stream requests, `connected` the ones the server answered. */
    const client = (options: { opened?: () => void; connected?: () => void } = {}) => {
      const transport = createHttpTransport({
        url: server.url,
        auth: { bearer: TOKEN },
        reconnect: { initialDelay: 5, maxDelay: 50 },
        logger: silentLogger,
        fetch: async (url, init) => {
          if (!url.includes("/events/stream")) return await fetch(url, init);
          options.opened?.();
          const response = await fetch(url, init);
          options.connected?.();
          return response;
        },
      });
      clients.push(transport);
      return transport;
    };

    it("sends each event as `id: <global position>` + `data: <event JSON>`, then `event: ready`; Last-Event-ID resumes after it", async () => {
      const receipts: PublishReceipt[] = [];
      for (let n = 1; n <= 3; n++) {
        receipts.push(
          await inner.publish({ type: "orders/placed", data: { n }, stream: `order-${n}` }),
        );
      }
      await inner.publish({ type: "orders/cancelled", data: {}, stream: "order-1" });
      const frames = await framesUntilReady(server.url);
      assert.equal(frames.length, 4);
      assert.equal(frames[3], "event: ready\ndata:");
      frames.slice(0, 3).forEach((frame, i) => {
        const [idLine, dataLine, ...rest] = frame.split("\n");
        assert.deepEqual(rest, []);
        assert.equal(idLine, `id: ${receipts[i].globalPosition}`);
        const event = JSON.parse(dataLine.slice("data: ".length));
        assert.equal(event.id, receipts[i].id);
        assert.equal(event.type, "orders/placed");
        assert.deepEqual(event.data, { n: i + 1 });
        assert.equal(event.streamName, `order-${i + 1}`);
        assert.equal(event.globalPosition, String(receipts[i].globalPosition));
      });
      const resumed = await framesUntilReady(server.url, {
        "last-event-id": String(receipts[1].globalPosition),
      });
      assert.equal(resumed.length, 2);
      assert.equal(resumed[0].split("\n")[0], `id: ${receipts[2].globalPosition}`);
    });

    it("subscribe() follows live, and after a dropped connection resumes from its checkpoint without losing or repeating", async () => {
      let opened = 0;
      const seen: number[] = [];
      const sub = client({ opened: () => opened++ }).subscribe(
        "follower",
        ["orders/followed"],
        (event) => void seen.push((event.data as { n: number }).n),
      );
      await sub.ready;
      for (let n = 1; n <= 3; n++) await inner.publish({ type: "orders/followed", data: { n } });
      await eventually(() => seen.length === 3, 10_000, "live events");
      server.dropConnections();
      for (let n = 4; n <= 6; n++) await inner.publish({ type: "orders/followed", data: { n } });
      await eventually(() => seen.length === 6, 10_000, "events after the drop");
      assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
      assert.equal(opened, 2);
      await sub.stop();
    });

    it("property: under random publish sequences and connection drops, every event arrives, in publish order", async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.record({ publish: fc.integer({ min: 1, max: 4 }) }),
              fc.constant({ drop: true as const }),
            ),
            { minLength: 1, maxLength: 10 },
          ),
          fc.boolean(),
          async (steps, slowHandler) => {
            run++;
            const type = `orders/dropped${run}`;
            const delivered: number[] = [];
            const published: number[] = [];
            let connected = 0;
            let droppedAt = 0;
            const sub = client({ connected: () => connected++ }).subscribe(
              `dropper-${run}`,
              [type],
              async (event) => {
                if (slowHandler) await new Promise((resolve) => setTimeout(resolve, 1));
                delivered.push((event.data as { seq: number }).seq);
              },
            );
            await sub.ready;
            for (const step of steps) {
              if ("drop" in step) {
                // Each drop cuts a live stream, with whatever frames are in flight: it waits for the
                // stream the previous drop made the client reopen (a drop before that would cut nothing).
                await eventually(() => connected > droppedAt, 10_000, "the client to reconnect");
                droppedAt = connected;
                server.dropConnections();
                continue;
              }
              for (let i = 0; i < step.publish; i++) {
                const seq = published.length + 1;
                await inner.publish({ type, data: { seq }, stream: `dropped${run}_${seq % 3}-x` });
                published.push(seq);
              }
            }
            await eventually(
              () => new Set(delivered).size === published.length,
              20_000,
              "every published event",
            );
            await sub.stop();
            // At least once: a repeat may follow a drop, but nothing is skipped and nothing goes backwards.
            assert.deepEqual([...new Set(delivered)], published);
            for (let i = 1; i < delivered.length; i++) {
              assert.ok(delivered[i] >= delivered[i - 1], `order at ${i}: ${delivered}`);
            }
          },
        ),
        propertyParameters(25),
      );
    });

    it("a failing handler is retried, then its event is parked (kept in the client's storage) and the stream moves on", async () => {
      const storage = createMemoryConsumerStorage();
      const parked: ParkedMessage[] = [];
      const attempts = new Map<number, number>();
      const handled: number[] = [];
      const transport = createHttpTransport({
        url: server.url,
        auth: { bearer: TOKEN },
        storage,
        logger: silentLogger,
      });
      clients.push(transport);
      const sub = transport.subscribe("picky", ["orders/picky"], (event, context) => {
        const n = (event.data as { n: number }).n;
        attempts.set(n, context.attempt);
        if (n === 2) throw new RangeError(`event ${n} is refused`);
        handled.push(n);
      }, {
        retry: { maxAttempts: 3, initialDelay: 1 },
        onParked: (entry) => void parked.push(entry),
      });
      for (let n = 1; n <= 3; n++) await inner.publish({ type: "orders/picky", data: { n } });
      await eventually(() => handled.length === 2, 10_000, "events around the parked one");
      assert.deepEqual(handled, [1, 3]);
      assert.equal(attempts.get(2), 3);
      assert.equal(parked.length, 1);
      assert.equal(parked[0].error.name, "RangeError");
      assert.deepEqual((await storage.parked.list("picky")).map((entry) => entry.message.data), [{
        n: 2,
      }]);
      await sub.stop();
    });

    it("a park that fails is logged as such (not as a failed stream) and the event comes again", async () => {
      const storage = createMemoryConsumerStorage();
      let parkCalls = 0;
      // The parked store refuses the first entry, as a storage that is down for a moment would.
      const parked = new Proxy(storage.parked, {
        get: (target, key) => {
          const value = Reflect.get(target, key, target);
          if (key !== "park") return typeof value === "function" ? value.bind(target) : value;
          return (...args: Parameters<typeof target.park>) => {
            if (++parkCalls === 1) throw new Error("the parked store is down");
            return target.park(...args);
          };
        },
      });
      const logger = keptLogger();
      const handled: number[] = [];
      const transport = createHttpTransport({
        url: server.url,
        auth: { bearer: TOKEN },
        storage: { ...storage, parked },
        logger,
        reconnect: { initialDelay: 1, maxDelay: 5 },
      });
      clients.push(transport);
      const sub = transport.subscribe("unparked", ["orders/unparked"], (event) => {
        const n = (event.data as { n: number }).n;
        if (n === 2) throw new RangeError(`event ${n} is refused`);
        handled.push(n);
      }, { retry: { maxAttempts: 1 } });
      for (let n = 1; n <= 3; n++) await inner.publish({ type: "orders/unparked", data: { n } });
      await eventually(() => handled.includes(3), 20_000, "the event after the parked one");
      assert.equal(parkCalls, 2, "parked again when the event came again");
      assert.deepEqual(
        (await storage.parked.list("unparked")).map((entry) => entry.message.data),
        [{ n: 2 }],
      );
      const failed = logger.lines.indexOf("error: Parking failed; the event is delivered again");
      assert.ok(failed >= 0, logger.lines.join("\n"));
      assert.match(String(logger.fields[failed].error), /parked store is down/);
      assert.ok(
        !logger.lines.some((line) => /Event stream failed/.test(line)),
        logger.lines.join("\n"),
      );
      await sub.stop();
    });

    it("stop() closes the stream on the server and no event reaches the handler afterwards", async () => {
      // A server of its own, so the only connection is this subscription's stream.
      const made = source.make();
      const own = await startHttpServer(made.handler);
      const publisher = createBus({ transport: made.transport });
      const transport = createHttpTransport({
        url: own.url,
        auth: { bearer: TOKEN },
        logger: silentLogger,
      });
      const seen: unknown[] = [];
      const sub = transport.subscribe(
        "stopper",
        ["orders/stopped"],
        (event) => void seen.push(event.data),
      );
      await sub.ready;
      assert.equal(own.connections, 1);
      const closed = own.closedConnections;
      await sub.stop();
      // (Node's fetch may open a spare connection when one is aborted: only the stream's closing is awaited.)
      await eventually(
        () => own.closedConnections > closed,
        10_000,
        "the stream's connection to close",
      );
      await publisher.publish({ type: "orders/stopped", data: { late: true } });
      assert.deepEqual(seen, []);
      await transport.close();
      await own.close();
      await publisher.close();
      await made.close();
    });
  });
}

describe("HTTP event streams when the handler closes", () => {
  it("handler.close() ends every stream and refuses later requests; the client reconnects elsewhere and loses nothing", async () => {
    const transport = createInProcessTransport({ logger: silentLogger });
    const open = () =>
      createHttpHandler({
        transport,
        auth: { bearer: TOKEN, allow: ALL_EVENTS },
        logger: silentLogger,
      });
    let handler = open();
    // The server answers with whichever handler is current: a closed one is replaced, as a restart would.
    const server = await startHttpServer({ fetch: (request) => handler.fetch(request) });
    const inner = createBus({ transport });
    const client = createHttpTransport({
      url: server.url,
      auth: { bearer: TOKEN },
      reconnect: { initialDelay: 5 },
      logger: silentLogger,
    });
    const seen: number[] = [];
    const errors: unknown[] = [];
    const sub = client.subscribe(
      "survivor",
      { category: "order" },
      (event) => void seen.push((event.data as { n: number }).n),
      {
        onError: (error) => void errors.push(error),
      },
    );
    await sub.ready;
    await inner.publish({ type: "orders/placed", data: { n: 1 }, stream: "order-1" });
    await eventually(() => seen.length === 1);
    const closed = handler;
    await closed.close();
    const refused = await closed.fetch(
      new Request(`${server.url}/events/stream?group=x&category=order`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
    );
    assert.equal(refused.status, 503);
    assert.equal((await refused.json())._tag, "ClosedError");
    await inner.publish({ type: "orders/placed", data: { n: 2 }, stream: "order-1" });
    handler = open();
    await eventually(() => seen.length === 2, 10_000, "the event after the reconnect");
    assert.deepEqual(seen, [1, 2]);
    assert.ok(errors.some((e) => /ended the stream/.test(String(e))));
    await client.close();
    await handler.close();
    await server.close();
    await inner.close();
  });
});
