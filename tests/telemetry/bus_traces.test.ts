// The span trees of the bus's calls over each transport, read back from
// OpenTelemetry's in-memory exporter: a command's `process` span is the
// child of its `send` span (and linked to it), a query's handler is the
// child of the `query` span (over HTTP, of the request that is the query
// span's child), an event's `process` span in each group starts its own
// trace linked to the `publish` span, and every span has the messaging
// attributes. Over NATS the tests need nats-server; without it they are
// skipped and the skipped test's name says why.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { TraceContext } from "../../mod.ts";
import { traceContextOf } from "../../core/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { useNats } from "../stores/_nats_fixtures.ts";
import { KIND, OtelHarness } from "./_otel.ts";
import { assertChild, assertLinked, ERROR, nextCall, spanIdOf } from "./_span_asserts.ts";
import { type TracedBuses, tracedBuses, type TransportKind } from "./_traced_buses.ts";

const KINDS = ["in-process", "store-backed", "http", "nats"] as const satisfies TransportKind[];

for (const kind of KINDS) {
  if (kind === "nats" && natsServerMissing !== undefined) {
    describe("traces over the nats transport", () => {
      it.skip(natsServerMissing, () => {});
    });
    continue;
  }
  describe(`traces over the ${kind} transport`, () => {
    const nats = kind === "nats" ? useNats() : undefined;
    // The transports whose messages go through an event store given the telemetry.
    const stored = kind === "store-backed" || kind === "nats";
    let otel: OtelHarness;
    let buses: TracedBuses;
    beforeEach(async () => {
      otel = new OtelHarness();
      buses = await tracedBuses(kind, otel.telemetry, nats?.nc);
    });
    afterEach(async () => {
      await buses.close();
      await otel.shutdown();
    });

    it("send() -> handled: the process span is the send span's child and links to it", async () => {
      const handled = nextCall<TraceContext | undefined>();
      const registration = buses.server.handleCommand("users/lock", (_command, context) => {
        handled.call(context.trace);
      });
      await registration.ready;
      const id = crypto.randomUUID();
      await buses.client.send({
        type: "users/lock",
        id,
        data: { userId: "u-1" },
        metadata: { correlationId: "c-42" },
      });
      const handlerTrace = await handled.called;
      await registration.stop();

      const send = otel.one("send users/lock");
      assert.equal(send.kind, KIND.producer);
      assert.equal(send.parentSpanId, undefined);
      assert.deepEqual(
        {
          system: send.attributes["messaging.system"],
          type: send.attributes["messaging.operation.type"],
          old: send.attributes["messaging.operation"],
          name: send.attributes["messaging.operation.name"],
          destination: send.attributes["messaging.destination.name"],
          id: send.attributes["messaging.message.id"],
          conversation: send.attributes["messaging.message.conversation_id"],
        },
        {
          system: "ordo",
          type: "send",
          old: "publish",
          name: "send",
          destination: "users/lock",
          id,
          conversation: "c-42",
        },
      );
      const process = otel.one("process users/lock");
      assert.equal(process.kind, KIND.consumer);
      assertChild(process, send);
      assertLinked(process, send);
      assert.equal(process.attributes["messaging.operation.type"], "process");
      assert.equal(process.attributes["messaging.message.id"], id);
      assert.equal(process.attributes["messaging.message.conversation_id"], "c-42");
      assert.equal(typeof process.attributes["messaging.consumer.group.name"], "string");
      assert.equal(spanIdOf(handlerTrace), process.spanId, "the handler's context.trace");

      if (kind === "nats") {
        assert.equal(
          process.attributes["messaging.consumer.group.name"],
          "ordo:command:users/lock",
        );
        assert.equal(process.attributes["ordo.delivery.attempt"], 1);
      }
      if (kind === "store-backed") {
        const append = otel.one("append users:command");
        assert.equal(append.kind, KIND.client);
        assertChild(append, send);
        assert.equal(append.attributes["messaging.batch.message_count"], 1);
      }
      if (kind === "http") {
        const request = otel.one("POST /commands/{name}");
        assert.equal(request.kind, KIND.server);
        assertChild(request, send);
        assert.equal(request.attributes["http.response.status_code"], 202);
      }
    });

    it("a handler's calls with context.trace join its trace", async () => {
      const registration = buses.server.handleCommand("orders/place", async (_c, context) => {
        await buses.server.publish({ type: "orders/placed", data: {} }, { trace: context.trace });
        return "placed";
      });
      await registration.ready;
      assert.equal(await buses.client.sendAndWait({ type: "orders/place", data: {} }), "placed");
      await registration.stop();

      const send = otel.one("send orders/place");
      const process = otel.one("process orders/place");
      const publish = otel.one("publish orders/placed");
      assertChild(process, send);
      assertChild(publish, process);
      assert.equal(publish.kind, KIND.producer);
    });

    if (kind !== "http") {
      it("publish() -> each group's handler: a new trace per group, linked to the publish span", async () => {
        type Seen = { producer?: TraceContext; trace?: TraceContext };
        const billing = nextCall<Seen>();
        const audit = nextCall<Seen>();
        const one = buses.server.subscribe(
          "billing",
          ["orders/placed"],
          (event, context) =>
            billing.call({ producer: traceContextOf(event.metadata), trace: context.trace }),
        );
        const two = buses.server.subscribe("audit", ["orders/placed"], () => audit.call({}));
        await Promise.all([one.ready, two.ready]);
        await buses.client.publish({ type: "orders/placed", data: { orderId: "o-1" }, key: "o-1" });
        const [{ producer, trace }] = await Promise.all([billing.called, audit.called]);
        await Promise.all([one.stop(), two.stop()]);

        const publish = otel.one("publish orders/placed");
        assert.equal(publish.kind, KIND.producer);
        assert.equal(publish.attributes["messaging.operation"], "publish");
        assert.equal(spanIdOf(producer), publish.spanId, "the producer's context, in the event");
        const processes = otel.named("process orders/placed");
        assert.deepEqual(
          processes.map((p) => p.attributes["messaging.consumer.group.name"]).sort(),
          ["audit", "billing"],
        );
        for (const process of processes) {
          assert.equal(process.kind, KIND.consumer);
          assert.equal(process.parentSpanId, undefined, "a root span");
          assert.notEqual(process.traceId, publish.traceId, "a trace of its own");
          assertLinked(process, publish);
        }
        const billed = processes.find((p) =>
          p.attributes["messaging.consumer.group.name"] === "billing"
        )!;
        assert.equal(spanIdOf(trace), billed.spanId, "the handler's context.trace");
        if (stored) {
          // The store's append is the publisher's child; the event's stream follows its key.
          assertChild(otel.one("append orders"), publish);
          assert.equal(billed.attributes["ordo.stream.name"], "orders-o-1");
        }
      });

      it("subscribe(…, { continueTrace: true }): the handler joins the publisher's trace", async () => {
        const handled = nextCall<void>();
        const registration = buses.server.subscribe(
          "inventory",
          ["orders/placed"],
          () => handled.call(),
          { continueTrace: true },
        );
        await registration.ready;
        await buses.client.publish({ type: "orders/placed", data: {} });
        await handled.called;
        await registration.stop();
        const process = otel.one("process orders/placed");
        const publish = otel.one("publish orders/placed");
        assertChild(process, publish);
        assertLinked(process, publish);
      });

      it("a message retried and then parked: a failed span per attempt, then a park span", async () => {
        const parked = nextCall<void>();
        const registration = buses.server.subscribe("billing", ["orders/placed"], () => {
          throw new RangeError("no such order");
        }, {
          retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 2 },
          onParked: () => parked.call(),
        });
        await registration.ready;
        await buses.client.publish({ type: "orders/placed", data: {} });
        await parked.called;
        await registration.stop();

        const publish = otel.one("publish orders/placed");
        const attempts = otel.named("process orders/placed");
        assert.deepEqual(attempts.map((a) => a.attributes["ordo.delivery.attempt"]), [1, 2, 3]);
        for (const attempt of attempts) {
          assert.equal(attempt.status, ERROR);
          assert.equal(attempt.attributes["error.type"], "RangeError");
          assert.ok(attempt.events.includes("exception"), "the exception is recorded");
          assertLinked(attempt, publish);
        }
        const park = otel.one("park orders/placed");
        assert.equal(park.attributes["messaging.operation.type"], "settle");
        assert.equal(park.attributes["ordo.delivery.attempt"], 3);
        assert.equal(park.attributes["error.type"], "RangeError");
        assertLinked(park, publish);

        const retries = await otel.metric("ordo.consumer.retries");
        assert.deepEqual(retries.map((p) => p.value), [2]);
        const durations = await otel.metric("messaging.process.duration");
        assert.deepEqual(
          durations.map((p) => [p.attributes["error.type"], (p.value as { count: number }).count]),
          [["RangeError", 3]],
        );
      });
    }

    if (kind !== "http") {
      it("query(): the handler's process span is the query span's child", async () => {
        let handlerTrace: TraceContext | undefined;
        const registration = buses.server.handleQuery("orders/show", (payload, context) => {
          handlerTrace = context.trace;
          return { shown: payload };
        });
        await registration.ready;
        assert.deepEqual(await buses.client.query("orders/show", 7), { shown: 7 });
        await registration.stop();

        const query = otel.one("query orders/show");
        assert.equal(query.kind, KIND.client);
        assert.equal(query.attributes["messaging.operation.name"], "query");
        const process = otel.one("process orders/show");
        assert.equal(process.kind, KIND.server);
        assertChild(process, query);
        assert.equal(spanIdOf(handlerTrace), process.spanId);
      });
    }

    if (kind === "http") {
      it("query over HTTP: query (client) -> POST /queries/{name} (server) -> process (server)", async () => {
        let handlerTrace: TraceContext | undefined;
        buses.server.handleQuery("orders/show", (payload, context) => {
          handlerTrace = context.trace;
          return { shown: payload };
        });
        assert.deepEqual(await buses.client.query("orders/show", 7), { shown: 7 });

        const query = otel.one("query orders/show");
        assert.equal(query.kind, KIND.client);
        assert.equal(query.attributes["messaging.operation.name"], "query");
        const request = otel.one("POST /queries/{name}");
        assert.equal(request.kind, KIND.server);
        assertChild(request, query);
        assert.equal(request.attributes["http.route"], "/queries/{name}");
        const process = otel.one("process orders/show");
        assert.equal(process.kind, KIND.server);
        assertChild(process, request);
        assert.equal(spanIdOf(handlerTrace), process.spanId);
      });
    }
  });
}
