// ordo/testing's checkProjection on the example projection, on the project's
// own consumer (its crash check drives createConsumer), and on projections
// with known bugs, which it must catch.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { orderTotals } from "../../examples/order_totals_projection.ts";
import type { RecordedMessage } from "../../mod.ts";
import { checkProjection, type HistoryEvent } from "../../testing/mod.ts";
import { ROOT } from "../_paths.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

const orderEvents: fc.Arbitrary<HistoryEvent[]> = fc.array(
  fc.oneof(
    fc.record({
      streamName: fc.constantFrom("order-1", "order-2", "order-3"),
      type: fc.constant("OrderPlaced"),
      data: fc.record({ total: fc.nat(100) }),
    }),
    fc.record({
      streamName: fc.constantFrom("order-1", "order-2", "order-3"),
      type: fc.constant("ItemAdded"),
      data: fc.record({ price: fc.nat(20) }),
    }),
    fc.record({
      streamName: fc.constantFrom("order-1", "order-2", "order-3"),
      type: fc.constantFrom("OrderShipped", "OrderCancelled"),
      data: fc.constant({}),
    }),
  ),
  { maxLength: 25 },
);

// fast-check reports the property's own error as the cause of its failure, with the seed and counterexample.
const failsWith = (pattern: RegExp) => (error: unknown) =>
  error instanceof Error && /Counterexample/.test(error.message) &&
  pattern.test(String((error.cause as Error | undefined)?.message ?? error.message));

describe("checkProjection()", () => {
  it("passes the example order-totals projection under duplicates, crashes and interleavings", async () => {
    await checkProjection(fc, {
      projection: orderTotals,
      events: orderEvents,
      parameters: propertyParameters(100),
    });
  });

  it("catches a projection that double-counts redelivered messages", async () => {
    const naive = {
      init: () => new Map<string, number>(),
      apply: (counts: Map<string, number>, m: RecordedMessage) =>
        void counts.set(m.streamName, (counts.get(m.streamName) ?? 0) + 1),
    };
    await assert.rejects(
      checkProjection(fc, {
        projection: naive,
        events: orderEvents,
        checks: { interleavings: false, crashes: false },
        parameters: { numRuns: 200 },
      }),
      failsWith(/after duplicated deliveries differs from one clean pass/),
    );
    await assert.rejects(
      checkProjection(fc, {
        projection: naive,
        events: orderEvents,
        checks: { interleavings: false, duplicates: false },
        parameters: { numRuns: 200 },
      }),
      failsWith(/after crashes and restarts of a consumer differs/),
    );
  });

  it("catches a projection that depends on the order across streams", async () => {
    const lastGlobally = {
      init: () => ({ last: "" }),
      apply: (model: { last: string }, m: RecordedMessage) => void (model.last = m.streamName),
    };
    await assert.rejects(
      checkProjection(fc, {
        projection: lastGlobally,
        events: orderEvents,
        checks: { duplicates: false, crashes: false },
        parameters: { numRuns: 200 },
      }),
      failsWith(/after another interleaving of streams differs/),
    );
  });

  it("loads without fast-check: testing/mod.ts imports it for types only", async () => {
    const source = await import("node:fs/promises").then((fs) =>
      fs.readFile(`${ROOT}testing/check_projection.ts`, "utf8")
    );
    for (
      const line of source.split("\n").filter((l) => /^(import|export) .*from "fast-check"/.test(l))
    ) assert.match(line, /^import type /);
  });

  it("has a runnable example", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile("node", ["--import", "tsx", "examples/projection.ts"], {
        cwd: ROOT,
        timeout: 60_000,
      }, (error, out) => (error ? reject(error) : resolve(out)))
    );
    assert.equal(stdout, "order 1: 35\norder 3: 7\n");
  });
});
