// A store given telemetry: each append is a client span whose context goes
// into the metadata of the messages that carry none (so their consumers can
// link to it), reads are spans only inside a trace, and append duration,
// batch size and the head position are measured. Run on the memory store and
// on PGlite (whose factory keeps `migrate` and `schema` through the wrapper).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { ConcurrencyError, createConsoleLogger, type EventStore, traceIds } from "../../mod.ts";
import { traceContextOf } from "../../core/mod.ts";
import { createMemoryStore } from "../../stores/memory/mod.ts";
import { createPGliteStore } from "../../stores/postgres/mod.ts";
import { KIND, OtelHarness } from "./_otel.ts";

const ERROR = 2;
const PARENT = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

const stores = {
  memory: (otel: OtelHarness) =>
    Promise.resolve({
      store: createMemoryStore({ telemetry: otel.telemetry }),
      name: "memory",
      close: async () => {},
    }),
  pglite: async (otel: OtelHarness) => {
    const pg = await PGlite.create();
    const store = createPGliteStore(pg, { schema: "traced", telemetry: otel.telemetry });
    assert.equal(store.schema, "traced");
    await store.migrate();
    return { store: store as EventStore, name: "postgres:traced", close: () => pg.close() };
  },
};

for (const [kind, open] of Object.entries(stores)) {
  describe(`a ${kind} store with telemetry`, () => {
    let otel: OtelHarness;
    let store: EventStore;
    let name: string;
    let close: () => Promise<void>;
    beforeEach(async () => {
      otel = new OtelHarness();
      ({ store, name, close } = await open(otel));
    });
    afterEach(async () => {
      await store.close();
      await close();
      await otel.shutdown();
    });

    it("append() is a client span whose context the messages carry", async () => {
      const own = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
      await store.append("order-1", [
        { type: "OrderPlaced", data: {}, metadata: { correlationId: "c-1" } },
        { type: "OrderPaid", data: {}, metadata: own },
      ]);
      const append = otel.one("append order");
      assert.equal(append.kind, KIND.client);
      assert.equal(append.parentSpanId, undefined);
      assert.equal(append.attributes["messaging.destination.name"], "order-1");
      assert.equal(append.attributes["messaging.operation.name"], "append");
      assert.equal(append.attributes["messaging.batch.message_count"], 2);
      assert.equal(append.attributes["messaging.message.conversation_id"], "c-1");
      assert.equal(append.attributes["ordo.store.name"], name);
      const [placed, paid] = await store.readStream("order-1");
      assert.equal(traceIds(traceContextOf(placed.metadata))?.spanId, append.spanId);
      assert.equal(paid.metadata.traceparent, own.traceparent, "a producer's context is kept");
    });

    it("append() with a trace is that trace's child; a refused one is a failed span", async () => {
      await store.append("order-2", [{ type: "OrderPlaced", data: {} }], { trace: PARENT });
      await assert.rejects(
        store.append("order-2", [{ type: "OrderPlaced", data: {} }], {
          expectedVersion: "no-stream",
          trace: PARENT,
        }),
        ConcurrencyError,
      );
      const [ok, refused] = otel.named("append order");
      for (const span of [ok, refused]) {
        assert.equal(span.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert.equal(span.parentSpanId, "00f067aa0ba902b7");
      }
      assert.equal(refused.status, ERROR);
      assert.equal(refused.attributes["error.type"], "ConcurrencyError");
    });

    it("reads are spans only inside a trace", async () => {
      await store.append("order-3", [{ type: "OrderPlaced", data: {} }]);
      await store.readStream("order-3");
      await store.readCategory("order").toArray();
      await store.readAll().toArray();
      await store.readPage({ category: "order" });
      assert.deepEqual(otel.spans().filter((s) => s.name.startsWith("read")), []);
      await store.readStream("order-3", { trace: PARENT });
      await store.readCategory("order", { trace: PARENT }).toArray();
      await store.readPage({ category: "order", trace: PARENT });
      await store.readAll({ trace: PARENT }).toArray();
      const reads = otel.spans().filter((s) => s.name.startsWith("read"));
      // A global read is a span per page it reads: here one short page each.
      assert.deepEqual(reads.map((s) => s.name), [
        "read order",
        "read order",
        "read order",
        "read $all",
      ]);
      for (const read of reads) {
        assert.equal(read.parentSpanId, "00f067aa0ba902b7");
        assert.equal(read.attributes["messaging.operation.type"], "receive");
        assert.equal(read.attributes["messaging.batch.message_count"], 1);
      }
    });

    it("measures append duration, batch size and the head position", async () => {
      await store.append("order-4", [{ type: "A", data: {} }, { type: "B", data: {} }]);
      await store.append("order-5", [{ type: "A", data: {} }]);
      const points = await otel.points();
      const only = (metric: string) => {
        const found = points.filter((p) => p.name === metric);
        assert.equal(found.length, 1, metric);
        assert.deepEqual(found[0].attributes, { "ordo.store.name": name });
        return found[0];
      };
      const duration = only("ordo.store.append.duration");
      assert.equal(duration.unit, "s");
      assert.equal((duration.value as { count: number }).count, 2);
      assert.deepEqual(only("ordo.store.append.batch_size").value, { count: 2, sum: 3 });
      assert.equal(only("ordo.store.head_position").value, Number(await store.headPosition()));
    });
  });
}

describe("a store with telemetry and a logger", () => {
  it("hands on its store's logger, so what is built on it logs where the store does", async () => {
    const logger = createConsoleLogger({ write: () => {} });
    const otel = new OtelHarness();
    const store = createMemoryStore({ telemetry: otel.telemetry, logger });
    assert.notEqual(store.constructor.name, "MemoryStore", "the store is wrapped");
    assert.equal(store.logger, logger);
    await store.close();
  });
});

describe("a store without telemetry", () => {
  it("is the store itself, not a wrapper", async () => {
    const store = createMemoryStore();
    assert.equal(store.telemetry, undefined);
    assert.equal(store.constructor.name, "MemoryStore");
  });
});
