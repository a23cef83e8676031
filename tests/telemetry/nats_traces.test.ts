// Traces on NATS against a real nats-server started by the test, read back
// from OpenTelemetry's in-memory exporter: a NATS store given telemetry makes
// an `append <category>` client span whose context the stored message
// carries, and the NATS transport inherits the store's telemetry. The span
// trees of commands, events and queries over the NATS transport are checked
// with every other transport's, in bus_traces.test.ts. Without nats-server
// the tests are skipped and the skipped test's name says why.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { noTelemetry, traceIds, ValidationError } from "../../mod.ts";
import { traceContextOf } from "../../core/mod.ts";
import { createNatsStore, type NatsEventStore } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { freshStore, useNats } from "../stores/_nats_fixtures.ts";
import { KIND, OtelHarness } from "./_otel.ts";
import { natsTransportOver } from "./_traced_buses.ts";

if (natsServerMissing !== undefined) {
  describe("traces on NATS", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("traces on NATS", () => {
    const nats = useNats();
    let otel: OtelHarness;
    let store: NatsEventStore;
    beforeEach(async () => {
      otel = new OtelHarness();
      store = await freshStore(nats.nc, { telemetry: otel.telemetry });
    });
    afterEach(async () => {
      await store.close();
      await otel.shutdown();
    });

    describe("a NATS store with telemetry", () => {
      it("append() is an `append <category>` client span whose context the message carries", async () => {
        const id = crypto.randomUUID();
        await store.append("order-1", [
          { id, type: "OrderPlaced", data: {}, metadata: { correlationId: "c-1" } },
        ]);
        const append = otel.one("append order");
        assert.equal(append.kind, KIND.client);
        assert.equal(append.parentSpanId, undefined);
        assert.deepEqual(
          {
            system: append.attributes["messaging.system"],
            name: append.attributes["messaging.operation.name"],
            destination: append.attributes["messaging.destination.name"],
            stream: append.attributes["ordo.stream.name"],
            count: append.attributes["messaging.batch.message_count"],
            id: append.attributes["messaging.message.id"],
            conversation: append.attributes["messaging.message.conversation_id"],
            store: append.attributes["ordo.store.name"],
          },
          {
            system: "ordo",
            name: "append",
            destination: "order-1",
            stream: "order-1",
            count: 1,
            id,
            conversation: "c-1",
            store: `nats:${store.stream}`,
          },
        );
        const [placed] = await store.readStream("order-1");
        const carried = traceIds(traceContextOf(placed.metadata));
        assert.deepEqual(carried, { traceId: append.traceId, spanId: append.spanId });
      });

      it("keeps the NATS store's own members on the wrapper, and refuses unknown keys", async () => {
        assert.equal(store.telemetry, otel.telemetry);
        assert.equal(typeof store.stream, "string");
        assert.equal(typeof store.subjectPrefix, "string");
        await store.setup(); // again: it updates the streams
        assert.throws(
          () =>
            createNatsStore(nats.nc, { headers, telemetry: otel.telemetry, tracer: 1 } as never),
          ValidationError,
        );
      });
    });

    describe("the NATS transport", () => {
      it("inherits the store's telemetry; its own option (noTelemetry too) wins", async () => {
        const inherited = await natsTransportOver(nats.nc, store);
        const own = await natsTransportOver(nats.nc, store, { telemetry: noTelemetry });
        assert.equal(inherited.telemetry, otel.telemetry);
        assert.equal(own.telemetry, undefined, "opted out while the store reports");
        await Promise.all([inherited.close(), own.close()]);
        assert.throws(
          () => createNatsTransport(nats.nc, { headers, store, tracer: 1 } as never),
          ValidationError,
        );
      });
    });
  });
}
