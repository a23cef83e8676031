// Closed means closed, for the bus and every transport: after close(), every
// client call rejects with ClosedError and every registration throws it,
// nothing is written (a counting wrapper around the store, a counting fetch,
// a counting inner transport say so), and close() is idempotent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ClosedError,
  createBus,
  createInProcessTransport,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  silentLogger,
  type Transport,
} from "../../mod.ts";
import type { CommandEnvelope, EventEnvelope, QueryEnvelope } from "../../core/messaging/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

/** A memory store that counts the appends reaching it. */
function countingStore(): { store: EventStore; appends: () => number } {
  const inner = createMemoryStore({ logger: silentLogger });
  let appends = 0;
  const store: EventStore = {
    logger: silentLogger,
    append: ((stream: string, messages: never, options: never) => {
      appends++;
      return inner.append(stream, messages, options);
    }) as EventStore["append"],
    readStream: (stream, options) => inner.readStream(stream, options),
    readCategory: (category, options) => inner.readCategory(category, options),
    readAll: (options) => inner.readAll(options),
    readPage: (options) => inner.readPage(options),
    getStreamInfo: (stream) => inner.getStreamInfo(stream),
    headPosition: () => inner.headPosition(),
    waitForAppend: (after, options) => inner.waitForAppend(after, options),
    close: () => inner.close(),
  };
  return { store, appends: () => appends };
}

const id = () => crypto.randomUUID();
const command = (): CommandEnvelope => ({
  id: id(),
  type: "orders/place",
  data: { n: 1 },
  key: "k",
  metadata: {},
});
const event = (): EventEnvelope => ({
  id: id(),
  type: "orders/placed",
  data: {},
  streamName: "order-1",
  metadata: {},
});
const query: QueryEnvelope = { name: "orders/show", payload: 1 };

type Call<T> = [string, (target: T) => unknown];

/** The calls of the Transport port, client calls and registrations alike. */
const transportCall: fc.Arbitrary<Call<Transport>> = fc.constantFrom<Call<Transport>>(
  ["send", (t) => t.send(command())],
  ["sendAndWait", (t) => t.sendAndWait(command())],
  ["query", (t) => t.query(query)],
  ["publish", (t) => t.publish(event())],
  ["handleCommand", (t) => t.handleCommand("orders/place", () => {})],
  ["handleQuery", (t) => t.handleQuery("orders/show", () => 1)],
  ["subscribe", (t) => t.subscribe("g2", ["orders/placed"], () => {})],
  ["close", (t) => t.close()],
);

/** Runs `call` and asserts it was refused with ClosedError, whether it threw or rejected. */
async function refusedClosed(name: string, call: () => unknown): Promise<void> {
  await assert.rejects(
    async () => await call(),
    (error: unknown) => error instanceof ClosedError,
    `${name} was not refused with ClosedError`,
  );
}

async function runClosedSequence<T extends { close(): Promise<void> }>(
  target: T,
  calls: readonly Call<T>[],
): Promise<void> {
  await target.close();
  for (const [name, call] of calls) {
    if (name === "close") await call(target); // idempotent: resolves again
    else await refusedClosed(name, () => call(target));
  }
}

describe("closed means closed: the bus", () => {
  const busCall = fc.constantFrom<Call<ReturnType<typeof createBus>>>(
    ["send", (b) => b.send({ type: "orders/place", data: {} })],
    ["sendAndWait", (b) => b.sendAndWait({ type: "orders/place", data: {} })],
    ["query", (b) => b.query("orders/show", 1)],
    ["publish", (b) => b.publish({ type: "orders/placed", data: {}, stream: "order-1" })],
    ["handleCommand", (b) => b.handleCommand("orders/cancel", () => {})],
    ["handleQuery", (b) => b.handleQuery("orders/list", () => [])],
    ["subscribe", (b) => b.subscribe("late", ["orders/placed"], () => {})],
    ["close", (b) => b.close()],
  );

  for (const over of ["in-process", "store-backed"] as const) {
    it(`over the ${over} transport, any sequence of calls after close() is refused with ClosedError, reaches no handler and writes nothing (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(busCall, { minLength: 1, maxLength: 10 }), async (calls) => {
          const { store, appends } = countingStore();
          const transport = over === "in-process"
            ? createInProcessTransport({ logger: silentLogger })
            : createStoreBackedTransport(store, { storage: createMemoryConsumerStorage() });
          const bus = createBus({ transport, logger: silentLogger });
          let handled = 0;
          bus.handleCommand("orders/place", () => void handled++);
          bus.handleQuery("orders/show", () => void handled++);
          bus.subscribe("g", ["orders/placed"], () => void handled++);
          await runClosedSequence(bus, calls);
          assert.equal(handled, 0, "a handler ran after close()");
          assert.equal(appends(), 0, "the store was written after close()");
        }),
        propertyParameters(30),
      );
    });
  }

  it("query, send and handleQuery are refused after close() (the issue's case)", async () => {
    const bus = createBus({ transport: createInProcessTransport({ logger: silentLogger }) });
    bus.handleQuery("orders/show", () => "shown");
    assert.equal(await bus.query("orders/show", 1), "shown");
    await bus.close();
    await assert.rejects(
      bus.query("orders/show", 1),
      (e) =>
        e instanceof ClosedError && e.component === "bus" && e.operation === 'query "orders/show"',
    );
    await assert.rejects(bus.send({ type: "orders/place", data: {} }), ClosedError);
    assert.throws(() => bus.handleQuery("orders/show", () => 1), ClosedError);
  });
});

describe("closed means closed: transports", () => {
  it("in-process: any sequence of calls after close() is refused with ClosedError and reaches no handler (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(transportCall, { minLength: 1, maxLength: 10 }), async (calls) => {
        const transport = createInProcessTransport({ logger: silentLogger });
        let handled = 0;
        transport.handleQuery("orders/show", () => void handled++);
        transport.subscribe("g", ["orders/placed"], () => void handled++);
        await runClosedSequence(transport, calls);
        assert.equal(handled, 0);
      }),
      propertyParameters(50),
    );
  });

  it("store-backed: any sequence of calls after close() is refused with ClosedError and writes nothing (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(transportCall, { minLength: 1, maxLength: 10 }), async (calls) => {
        const { store, appends } = countingStore();
        const transport = createStoreBackedTransport(store, {
          storage: createMemoryConsumerStorage(),
        });
        await runClosedSequence(transport, calls);
        assert.equal(appends(), 0);
      }),
      propertyParameters(50),
    );
  });

  it("store-backed: close() ends a sendAndWait still waiting for its reply with ClosedError, and waits for it", async () => {
    const transport = createStoreBackedTransport(createMemoryStore({ logger: silentLogger }), {
      storage: createMemoryConsumerStorage(),
    });
    const waiting = transport.sendAndWait(command());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await transport.close();
    await assert.rejects(waiting, ClosedError);
  });

  it("HTTP client: any sequence of calls after close() is refused with ClosedError and sends no request (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(transportCall.filter(([name]) => !name.startsWith("handle")), {
          minLength: 1,
          maxLength: 10,
        }),
        async (calls) => {
          let requests = 0;
          const transport = createHttpTransport({
            url: "http://127.0.0.1:9",
            auth: { bearer: "t0ken-0123456789ab" },
            fetch: () => {
              requests++;
              return Promise.resolve(
                Response.json({ id: id(), deduplicated: false }, { status: 202 }),
              );
            },
            logger: silentLogger,
          });
          await runClosedSequence(transport, calls);
          assert.equal(requests, 0);
        },
      ),
      propertyParameters(50),
    );
  });

  it("HTTP handler: after close(), every request is answered 503 with a ClosedError and reaches no transport call (property)", async () => {
    const routes = fc.constantFrom(
      ["POST", "/commands/orders/place", { id: id(), data: {} }],
      ["POST", "/queries/orders/show", { payload: 1 }],
      ["POST", "/events", { id: id(), type: "orders/placed", data: {}, streamName: "order-1" }],
      ["GET", "/events/stream?group=g&names=orders/placed", undefined],
      ["POST", "/nowhere", {}],
    );
    await fc.assert(
      fc.asyncProperty(fc.array(routes, { minLength: 1, maxLength: 6 }), async (requests) => {
        const inner = createInProcessTransport({ logger: silentLogger });
        let reached = 0;
        const counting: Transport = new Proxy(inner, {
          get(target, key, receiver) {
            const value = Reflect.get(target, key, receiver);
            if (typeof value !== "function" || key === "handles") return value;
            return (...args: unknown[]) => {
              reached++;
              return value.apply(target, args);
            };
          },
        });
        const handler = createHttpHandler({
          transport: counting,
          auth: { bearer: "t0ken-0123456789ab", allow: { subscribe: ["*"], publish: ["*"] } },
          logger: silentLogger,
        });
        await handler.close();
        await handler.close();
        for (const [method, path, body] of requests) {
          const response = await handler.fetch(
            new Request(`http://x${path}`, {
              method: method as string,
              headers: { authorization: "Bearer t0ken" },
              body: body === undefined ? undefined : JSON.stringify(body),
            }),
          );
          assert.equal(response.status, 503, `${method} ${path}`);
          assert.equal((await response.json())._tag, "ClosedError");
        }
        assert.equal(reached, 0);
      }),
      propertyParameters(20),
    );
  });
});
