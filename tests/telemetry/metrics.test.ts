// The metrics ordo reports, collected through OpenTelemetry's SDK: a consumer
// group member's lag per partition (in positions and seconds), the leases it
// holds, its group's parked count and the age of the oldest parked message;
// a bus's call durations by outcome and its circuit breaker's state.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  createBus,
  createGroupConsumer,
  createInProcessTransport,
  createMemoryConsumerStorage,
  createMemoryStore,
  partitionOf,
  TimeoutError,
} from "../../mod.ts";
import { eventually } from "../messaging/_bus_suite.ts";
import { OtelHarness } from "./_otel.ts";

describe("metrics", () => {
  let otel: OtelHarness;
  beforeEach(() => (otel = new OtelHarness()));
  afterEach(() => otel.shutdown());

  it("a group member reports lag per partition, its leases, and its group's parked messages", async () => {
    const store = createMemoryStore({ telemetry: otel.telemetry });
    const streams = ["order-1", "order-2", "order-3", "order-4", "order-5", "order-6"];
    const held = streams.find((stream) => partitionOf(stream, 2) === 0)!;
    const written = new Date(Date.now() - 3_000).toISOString();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const member = createGroupConsumer(store, {
      group: "shipping",
      member: "m-1",
      source: { category: "order" },
      partitions: 2,
      storage: createMemoryConsumerStorage(),
      retry: { maxAttempts: 1 },
      handler: async (message) => {
        if (message.type === "Broken") throw new RangeError("cannot ship");
        if (message.streamName === held) {
          holding = true;
          await released;
        }
      },
    });
    await store.append("order-9", [{ type: "Broken", data: {} }]);
    for (const stream of streams) {
      await store.append(stream, [{ type: "Shipped", data: {}, metadata: { timestamp: written } }]);
    }
    await eventually(() => holding, 5_000, "the held message");
    const start = Date.now();
    while ((await member.listParked()).length === 0) {
      assert.ok(Date.now() - start < 5_000, "the broken message was not parked");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const status = await member.status();
    const lag = await otel.metric("ordo.consumer.lag");
    const lagTime = await otel.metric("ordo.consumer.lag.time");
    const leases = await otel.metric("ordo.consumer.leases");
    const parked = await otel.metric("ordo.consumer.parked");
    const parkedAge = await otel.metric("ordo.consumer.parked.oldest_age");
    const handled = await otel.metric("messaging.process.duration");
    release();
    await member.stop();

    const byPartition = (points: typeof lag) =>
      Object.fromEntries(
        points.map((p) => [p.attributes["messaging.destination.partition.id"], p.value]),
      );
    assert.deepEqual(
      byPartition(lag),
      Object.fromEntries(status.partitions.map((p) => [String(p.partition), p.lag])),
      "the gauge says what status() says",
    );
    assert.ok((byPartition(lag)["0"] as number) > 0, "the held partition lags");
    assert.ok((byPartition(lagTime)["0"] as number) >= 3, "by at least the held message's age");
    for (const point of lag) {
      assert.equal(point.attributes["messaging.consumer.group.name"], "shipping");
      assert.equal(point.attributes["ordo.consumer.member"], "m-1");
      assert.equal(point.unit, "{message}");
    }
    assert.deepEqual(leases.map((p) => p.value), [2]);
    const partitionOfPoint = (p: (typeof handled)[number]) =>
      p.attributes["messaging.destination.partition.id"];
    assert.deepEqual(
      handled.filter((p) => p.attributes["error.type"] === "RangeError").map(partitionOfPoint),
      [String(partitionOf("order-9", 2))],
      "handler calls are measured per partition",
    );
    assert.ok(handled.every((p) => ["0", "1"].includes(partitionOfPoint(p) as string)));
    assert.deepEqual(parked.map((p) => p.value), [1]);
    assert.equal(parkedAge[0].unit, "s");
    assert.ok((parkedAge[0].value as number) >= 0);
  });

  it("a bus reports call durations by outcome and its breaker's state", async () => {
    const bus = createBus({
      transport: createInProcessTransport({ telemetry: otel.telemetry }),
      name: "front",
      circuitBreaker: { failureThreshold: 1, coolDown: 60_000 },
      retry: false,
    });
    bus.handleQuery("orders/show", (payload) => payload);
    // Answers once released at the end: close() waits for a running handler.
    let release = () => {};
    bus.handleQuery(
      "orders/slow",
      () => new Promise<string>((resolve) => (release = () => resolve("late"))),
    );
    const before = await otel.metric("ordo.bus.circuit_breaker.state");
    await bus.query("orders/show", 1);
    await assert.rejects(bus.query("orders/slow", 1, { timeout: 5 }), TimeoutError);
    await assert.rejects(bus.query("orders/show", 2), /Circuit breaker open/);
    const after = await otel.metric("ordo.bus.circuit_breaker.state");
    const durations = await otel.metric("messaging.client.operation.duration");
    release();
    await bus.close();

    assert.deepEqual(before.map((p) => [p.attributes["ordo.bus.name"], p.value]), [["front", 0]]);
    assert.deepEqual(after.map((p) => p.value), [2], "open");
    assert.deepEqual(
      durations.map((p) => [
        p.attributes["messaging.destination.name"],
        p.attributes["ordo.outcome"],
        p.attributes["error.type"],
        (p.value as { count: number }).count,
      ]).sort(),
      [
        ["orders/show", "circuit_open", "CircuitOpenError", 1],
        ["orders/show", "ok", undefined, 1],
        ["orders/slow", "timeout", "TimeoutError", 1],
      ],
    );
  });
});
