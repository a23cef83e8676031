// The store-backed transport's failure hooks: a handler's failure is told to
// the registration's onError and to the transport's, each once, even when the
// registration's hook throws (its throw is logged, "onError hook threw").
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBus } from "../../core/messaging/mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { keptLogger } from "../_kept_logger.ts";
import { eventually } from "./_bus_suite.ts";

function world() {
  const logger = keptLogger();
  const told: unknown[] = [];
  const transport = createStoreBackedTransport(createMemoryStore(), {
    storage: createMemoryConsumerStorage(),
    retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 },
    logger,
    onError: (error) => void told.push(error),
  });
  const bus = createBus({ transport, logger });
  const brokenHook = () => {
    throw new TypeError("the alerting hook is broken");
  };
  return { bus, logger, told, brokenHook };
}

function hookThrowLogged(logger: ReturnType<typeof keptLogger>): void {
  const at = logger.lines.indexOf("error: onError hook threw");
  assert.ok(at >= 0, logger.lines.join("\n"));
  assert.match(String(logger.fields[at].error), /alerting hook is broken/);
}

describe("store-backed transport onError hooks", () => {
  it("subscribe(): a registration's onError that throws still lets the transport's onError be told", async () => {
    const { bus, logger, told, brokenHook } = world();
    try {
      const attempts: number[] = [];
      await bus.subscribe("audit", ["orders/placed"], (_event, context) => {
        attempts.push(context.attempt);
        if (context.attempt === 1) throw new RangeError("the audit log is busy");
      }, { onError: brokenHook }).ready;
      await bus.publish({ type: "orders/placed", data: {}, stream: "order-1" });
      await eventually(() => attempts.length === 2, 20_000, "the second attempt");
      assert.ok(told.some((error) => /audit log is busy/.test(String(error))), String(told));
      hookThrowLogged(logger);
    } finally {
      await bus.close();
    }
  });

  it("handleCommand(): a registration's onError that throws still lets the transport's onError be told", async () => {
    const { bus, logger, told, brokenHook } = world();
    try {
      await bus.handleCommand("orders/place", (_command, context) => {
        if (context.attempt === 1) throw new RangeError("the stock service is busy");
        return "placed";
      }, { onError: brokenHook }).ready;
      assert.equal(
        await bus.sendAndWait({ type: "orders/place", data: {} }, { timeout: 20_000 }),
        "placed",
      );
      assert.ok(told.some((error) => /stock service is busy/.test(String(error))), String(told));
      hookThrowLogged(logger);
    } finally {
      await bus.close();
    }
  });
});
