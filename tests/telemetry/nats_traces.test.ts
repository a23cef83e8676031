// Traces on NATS against a real nats-server started by the test, read back
// from OpenTelemetry's in-memory exporter: a NATS store given telemetry makes
// an `append <category>` client span whose context the stored message
// carries; the NATS transport inherits the store's telemetry, a command's
// `process` span is the child of its `send` span, an event's starts a trace
// of its own linked to the `publish` span, and a query's handler span is the
// child of the `query` span across the request's headers. Without nats-server
// the tests are skipped and the skipped test's name says why.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  type Bus,
  createBus,
  noTelemetry,
  type TraceContext,
  traceIds,
  ValidationError,
} from "../../mod.ts";
import { traceContextOf } from "../../core/mod.ts";
import { createNatsStore, type NatsEventStore } from "../../stores/nats/mod.ts";
import { createNatsTransport, type NatsTransport } from "../../transports/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { freshStore, useNats } from "../stores/_nats_fixtures.ts";
import { KIND, OtelHarness } from "./_otel.ts";
import { assertChild, assertLinked, ERROR, nextCall, spanIdOf } from "./_span_asserts.ts";

/** A transport over `store` with command stream and ledger of its own, set up. */
async function transportOver(
  nc: NatsConnection,
  store: NatsEventStore,
  extra: { telemetry?: typeof noTelemetry } = {},
): Promise<NatsTransport> {
  const transport = createNatsTransport(nc, {
    headers,
    store,
    subjectPrefix: `bus_${store.subjectPrefix}`,
    commandStream: `${store.stream}_CMD`,
    ledgerBucket: `ledger_${store.subjectPrefix}`,
    retry: { initialDelay: 1, maxDelay: 2 },
    ...extra,
  });
  await transport.setup();
  return transport;
}

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
      let bus: Bus;
      beforeEach(async () => {
        // Only the store is given telemetry: the transport and the bus inherit it.
        bus = createBus({ transport: await transportOver(nats.nc, store), name: "shop" });
      });
      afterEach(async () => {
        await bus.close();
      });

      it("inherits the store's telemetry; its own option (noTelemetry too) wins", async () => {
        const inherited = await transportOver(nats.nc, store);
        const own = await transportOver(nats.nc, store, { telemetry: noTelemetry });
        assert.equal(inherited.telemetry, otel.telemetry);
        assert.equal(own.telemetry, undefined, "opted out while the store reports");
        await Promise.all([inherited.close(), own.close()]);
        assert.throws(
          () => createNatsTransport(nats.nc, { headers, store, tracer: 1 } as never),
          ValidationError,
        );
      });

      it("send() -> handled: the process span is the send span's child and links to it", async () => {
        const handled = nextCall<TraceContext | undefined>();
        const registration = bus.handleCommand("users/lock", (_command, context) => {
          handled.call(context.trace);
        });
        await registration.ready;
        const id = crypto.randomUUID();
        await bus.send({
          type: "users/lock",
          id,
          data: { userId: "u-1" },
          metadata: { correlationId: "c-42" },
        });
        const handlerTrace = await handled.called;
        await registration.stop(); // after the message in hand: its span has ended

        const send = otel.one("send users/lock");
        assert.equal(send.kind, KIND.producer);
        assert.equal(send.parentSpanId, undefined);
        const process = otel.one("process users/lock");
        assert.equal(process.kind, KIND.consumer);
        assertChild(process, send);
        assertLinked(process, send);
        assert.deepEqual(
          {
            type: process.attributes["messaging.operation.type"],
            id: process.attributes["messaging.message.id"],
            conversation: process.attributes["messaging.message.conversation_id"],
            group: process.attributes["messaging.consumer.group.name"],
            attempt: process.attributes["ordo.delivery.attempt"],
          },
          {
            type: "process",
            id,
            conversation: "c-42",
            group: "ordo:command:users/lock",
            attempt: 1,
          },
        );
        assert.equal(spanIdOf(handlerTrace), process.spanId, "the handler's context.trace");
      });

      it("publish() -> a group's handler: a trace of its own, linked to the publish span", async () => {
        const handled = nextCall<{ producer?: TraceContext; trace?: TraceContext }>();
        const registration = bus.subscribe(
          "billing",
          ["orders/placed"],
          (event, context) =>
            handled.call({ producer: traceContextOf(event.metadata), trace: context.trace }),
        );
        await registration.ready;
        await bus.publish({ type: "orders/placed", data: { orderId: "o-1" }, key: "o-1" });
        const { producer, trace } = await handled.called;
        await registration.stop();

        const publish = otel.one("publish orders/placed");
        assert.equal(publish.kind, KIND.producer);
        // The store's append is the publisher's child; the stored event keeps the publisher's context.
        assertChild(otel.one("append orders"), publish);
        assert.equal(spanIdOf(producer), publish.spanId, "the producer's context, stored");
        const process = otel.one("process orders/placed");
        assert.equal(process.kind, KIND.consumer);
        assert.equal(process.parentSpanId, undefined, "a root span");
        assert.notEqual(process.traceId, publish.traceId, "a trace of its own");
        assertLinked(process, publish);
        assert.equal(process.attributes["messaging.consumer.group.name"], "billing");
        assert.equal(process.attributes["ordo.stream.name"], "orders-o-1");
        assert.equal(spanIdOf(trace), process.spanId, "the handler's context.trace");
      });

      it("subscribe(…, { continueTrace: true }): the handler joins the publisher's trace", async () => {
        const handled = nextCall<void>();
        const registration = bus.subscribe(
          "inventory",
          ["orders/placed"],
          () => handled.call(),
          { continueTrace: true },
        );
        await registration.ready;
        await bus.publish({ type: "orders/placed", data: {} });
        await handled.called;
        await registration.stop();
        const process = otel.one("process orders/placed");
        const publish = otel.one("publish orders/placed");
        assertChild(process, publish);
        assertLinked(process, publish);
      });

      it("an event retried and then parked: a failed span per attempt, then a park span", async () => {
        const parked = nextCall<void>();
        const registration = bus.subscribe("billing", ["orders/placed"], () => {
          throw new RangeError("no such order");
        }, {
          retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 2 },
          onParked: () => parked.call(),
        });
        await registration.ready;
        await bus.publish({ type: "orders/placed", data: {} });
        await parked.called;
        await registration.stop();

        const publish = otel.one("publish orders/placed");
        const attempts = otel.named("process orders/placed");
        assert.deepEqual(attempts.map((a) => a.attributes["ordo.delivery.attempt"]), [1, 2, 3]);
        for (const attempt of attempts) {
          assert.equal(attempt.status, ERROR);
          assert.equal(attempt.attributes["error.type"], "RangeError");
          assertLinked(attempt, publish);
        }
        const park = otel.one("park orders/placed");
        assert.equal(park.attributes["ordo.delivery.attempt"], 3);
        assertLinked(park, publish);
        const retries = await otel.metric("ordo.consumer.retries");
        assert.deepEqual(retries.map((p) => p.value), [2]);
      });

      it("query(): the handler's server span is the query span's child, across the request headers", async () => {
        let handlerTrace: TraceContext | undefined;
        const registration = bus.handleQuery("orders/show", (payload, context) => {
          handlerTrace = context.trace;
          return { shown: payload };
        });
        await registration.ready;
        assert.deepEqual(await bus.query("orders/show", 7), { shown: 7 });
        await registration.stop();

        const query = otel.one("query orders/show");
        assert.equal(query.kind, KIND.client);
        const process = otel.one("process orders/show");
        assert.equal(process.kind, KIND.server);
        assertChild(process, query);
        assert.equal(spanIdOf(handlerTrace), process.spanId);
      });
    });
  });
}
