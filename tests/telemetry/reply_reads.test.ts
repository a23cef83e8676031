// The store-backed transport's reads of reply streams are its own
// bookkeeping, not traced (docs/decisions/observability.md): the sender's
// polling, which every append to the store wakes, and the handler side's
// check for a reply written before a crash. A trial found them as
// `read orders:reply` spans: one under each `process` span, and more under
// the sender's span with a context manager.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { createBus, createMemoryConsumerStorage, createMemoryStore } from "../../mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { OtelHarness } from "./_otel.ts";

async function sendAndWaitTwice(
  otel: OtelHarness,
  around?: (f: () => Promise<void>) => Promise<void>,
) {
  const store = createMemoryStore({ telemetry: otel.telemetry });
  const bus = createBus({
    transport: createStoreBackedTransport(store, { storage: createMemoryConsumerStorage() }),
  });
  try {
    await bus.handleCommand("orders/place", async (command, { trace }) => {
      await store.append("order-1", [{ type: "OrderPlaced", data: command.data }], { trace });
      return "placed";
    }).ready;
    const send = async () => {
      assert.equal(await bus.sendAndWait({ type: "orders/place", data: { n: 1 } }), "placed");
      // Unrelated appends while a sender waits wake its polling loop.
      const waiting = bus.sendAndWait({ type: "orders/place", data: { n: 2 } });
      for (let i = 0; i < 5; i++) await store.append("noise-1", [{ type: "Noise", data: {} }]);
      assert.equal(await waiting, "placed");
    };
    await (around === undefined ? send() : around(send));
  } finally {
    await bus.close();
  }
  const names = otel.spans().map((span) => span.name);
  assert.equal(names.filter((name) => name === "process orders/place").length, 2, `${names}`);
  assert.equal(names.filter((name) => name === "append orders:reply").length, 2, `${names}`);
  assert.deepEqual(names.filter((name) => name.startsWith("read ")), [], "no read spans");
}

describe("the store-backed transport's reply reads", () => {
  it("are not traced: neither the sender's polling nor the handler's check", async () => {
    await sendAndWaitTwice(new OtelHarness());
  });

  describe("with a context manager and the sender in an active span", () => {
    before(() => {
      assert.ok(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
    });
    after(() => context.disable());

    it("are not traced either", async () => {
      const otel = new OtelHarness();
      const tracer = otel.tracerProvider.getTracer("test");
      await sendAndWaitTwice(
        otel,
        (send) =>
          tracer.startActiveSpan("POST /orders", async (span) => {
            try {
              await send();
            } finally {
              span.end();
            }
          }),
      );
      assert.ok(otel.spans().some((span) => span.name === "POST /orders"));
    });
  });
});
