// Nothing silent, for the bus and its transports: a `bus.subscribe` handler
// that always throws is logged at every attempt and when its event is parked
// (in-process and store-backed alike), a command handler's failure nobody
// waits for is logged, an HTTP subscription logs its handler's failures and
// its dropped stream, and the bus logs its breaker opening.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createBus,
  createConsoleLogger,
  createInProcessTransport,
  createMemoryConsumerStorage,
  createMemoryStore,
  type Logger,
  PeerUnreachableError,
  silentLogger,
  type Transport,
} from "../../mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { eventually } from "./_bus_suite.ts";
import { TOKEN } from "./_http_fixture.ts";
import { startEventServer } from "./_http_subscription_fixture.ts";

function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createConsoleLogger({ write: (line) => void lines.push(line) }) };
}

const FAST = { initialDelay: 1, maxDelay: 1 } as const;

describe("bus and transport logging", () => {
  const transports: [string, (logger: Logger) => Transport][] = [
    ["in-process", (logger) => createInProcessTransport({ logger })],
    [
      "store-backed",
      (logger) =>
        createStoreBackedTransport(createMemoryStore(), {
          storage: createMemoryConsumerStorage(),
          logger,
        }),
    ],
  ];
  for (const [name, make] of transports) {
    it(`a bus.subscribe handler that always throws is logged at each of its 5 attempts, then parked (${name})`, async () => {
      const { logger, lines } = recording();
      const bus = createBus({ transport: make(logger) });
      bus.subscribe("billing", ["orders/placed"], () => {
        throw new RangeError("always");
      }, { retry: FAST });
      const receipt = await bus.publish({ type: "orders/placed", data: {}, stream: "order-1" });
      await eventually(() => lines.some((line) => line.includes("Message parked")));
      const failed = lines.filter((line) => line.startsWith("ordo error: Handler failed"));
      assert.equal(failed.length, 5, lines.join("\n"));
      failed.forEach((line, i) => {
        assert.match(
          line,
          new RegExp(`group="billing".*messageId="${receipt.id}".*attempt=${i + 1} `),
        );
        assert.match(line, /error="RangeError: always"$/);
      });
      assert.match(
        lines[lines.length - 1],
        new RegExp(
          `^ordo warn: Message parked group="billing".*messageId="${receipt.id}" type="orders/placed" stream="order-1" attempts=5 error="RangeError: always"$`,
        ),
      );
      await bus.close();
    });
  }

  it("the bus's logger reaches its handlers: a command handler failing with no one waiting is logged there", async () => {
    const transport = recording();
    const bus = recording();
    const b = createBus({
      transport: createInProcessTransport({ logger: transport.logger }),
      logger: bus.logger,
    });
    b.handleCommand("orders/place", () => {
      throw new TypeError("bad order");
    });
    const { id } = await b.send({ type: "orders/place", data: {} });
    await eventually(() => bus.lines.length > 0);
    assert.deepEqual(bus.lines, [
      `ordo error: Handler failed group="command:orders/place" messageId="${id}" type="orders/place" attempt=1 error="TypeError: bad order"`,
    ]);
    assert.deepEqual(transport.lines, []);
    await b.close();
  });

  it("the bus logs its own circuit breaker opening", async () => {
    const { logger, lines } = recording();
    const down = () => Promise.reject(new PeerUnreachableError('query "a/b"', "http://x", "down"));
    // A class, as ordo's transports are: the log names its kind and its url (the peer).
    const failing: Transport = new (class PeerTransport {
      readonly url = "http://billing.internal:8080";
      send = down;
      sendAndWait = down;
      query = down;
      publish = down;
      handleCommand = () => ({ ready: Promise.resolve(), stop: () => Promise.resolve() });
      handleQuery = () => ({ ready: Promise.resolve(), stop: () => Promise.resolve() });
      subscribe = () => ({ ready: Promise.resolve(), stop: () => Promise.resolve() });
      close = () => Promise.resolve();
    })();
    const bus = createBus({
      transport: failing,
      name: "billing",
      logger,
      retry: false,
      circuitBreaker: { failureThreshold: 2 },
    });
    for (let i = 0; i < 2; i++) await bus.query("a/b", 1).catch(() => {});
    assert.deepEqual(lines, [
      'ordo warn: Circuit breaker opened bus="billing" transport="PeerTransport" peer="http://billing.internal:8080" from="closed" to="open"',
    ]);
    await bus.close();
  });

  it("an HTTP bus's breaker line names the server it could not reach", async () => {
    const { logger, lines } = recording();
    const bus = createBus({
      name: "orders-client",
      transport: createHttpTransport({ url: "http://127.0.0.1:9/orders", auth: { bearer: TOKEN } }),
      logger,
      retry: false,
      circuitBreaker: { failureThreshold: 1 },
    });
    await bus.query("orders/show", {}).catch(() => {});
    assert.deepEqual(lines, [
      'ordo warn: Circuit breaker opened bus="orders-client" transport="HttpClientTransport" peer="http://127.0.0.1:9/orders" from="closed" to="open"',
    ]);
    await bus.close();
  });

  it("an HTTP subscription logs its handler's failures, the parked event and its dropped stream", async () => {
    // The publisher's bus closes the server's transport, after the server.
    const { inner, server } = await startEventServer();
    const { logger, lines } = recording();
    const client = createHttpTransport({
      url: server.url,
      auth: { bearer: TOKEN },
      reconnect: { initialDelay: 5 },
      logger,
    });
    const sub = client.subscribe("audit", ["orders/placed"], () => {
      throw new Error("audit down");
    }, { retry: { maxAttempts: 2, ...FAST } });
    await sub.ready;
    const publisher = createBus({ transport: inner, logger: silentLogger });
    await publisher.publish({ type: "orders/placed", data: {}, stream: "order-1" });
    await eventually(() => lines.some((line) => line.includes("Message parked")));
    assert.deepEqual(lines.map((line) => line.replace(/ messageId="[^"]+"/, "")), [
      'ordo error: Handler failed group="audit" type="orders/placed" stream="order-1" attempt=1 error="Error: audit down"',
      'ordo error: Handler failed group="audit" type="orders/placed" stream="order-1" attempt=2 error="Error: audit down"',
      'ordo warn: Message parked group="audit" type="orders/placed" stream="order-1" attempts=2 error="Error: audit down"',
    ]);
    server.dropConnections();
    await eventually(() => lines.some((line) => line.includes("Event stream reconnected")));
    assert.match(
      lines.find((line) => line.includes("Event stream failed"))!,
      /^ordo warn: Event stream failed; reconnecting group="audit" error="/,
    );
    await client.close();
    await server.close();
    await publisher.close();
  });
});
