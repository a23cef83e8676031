// Runtime-transport checks of the long-lived $all subscription behind
// waitForAppend(): events pushed by the server arrive, close() cancels the
// call on the server, HTTP/2 keepalive PINGs flow both ways without dropping
// it, and a dropped connection is noticed and replaced. Through ordo's
// adapter with a real client, against the stand-in: transport facts only.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEventStoreDbStore } from "../../../stores/eventstoredb/mod.ts";
import { type ClientUnderTest, endStandIn, TRANSPORT_STORE_OPTIONS } from "./client_under_test.ts";
import { type StandIn, type StandInRecord, startStandIn } from "./start_standin.ts";
import { until } from "../../_until.ts";

// So long that a failed subscription can never be masked by the store's
// re-subscription (which would find the event by reading $all instead).
const NEVER_RESUBSCRIBE = 10 * 60 * 1000;

const isSubscription = (r: StandInRecord) => r.event === "call" && r.subscription === true;

export function testSubscriptionTransport(under: ClientUnderTest): void {
  describe("the live $all subscription behind waitForAppend()", () => {
    it("delivers an event the server pushes, and close() cancels the call on the server", async () => {
      const standin = await startStandIn();
      const connection = under.connect(standin.url);
      const store = createEventStoreDbStore(connection.client, {
        ...TRANSPORT_STORE_OPTIONS,
        namespace: "live",
        resubscribeDelay: NEVER_RESUBSCRIBE,
      });
      try {
        // An event outside the namespace: the store's head scan meets it and subscribes from its position.
        const elsewhere = await standin.appendElsewhere("other-1", {
          id: crypto.randomUUID(),
          type: "Noise",
          data: {},
        });
        const woken = store.waitForAppend(0n, { timeout: 60_000 });
        const subscription = await standin.waitFor("the $all subscription", isSubscription);
        assert.equal(
          subscription.from,
          String(elsewhere),
          "the subscription starts at the position the head scan read",
        );
        assert.deepEqual(
          (subscription.filter as { streamIdentifier?: { prefixList: string[] } }).streamIdentifier
            ?.prefixList,
          ["live/"],
        );

        const id = crypto.randomUUID();
        await standin.appendElsewhere("live/order-7", {
          id,
          type: "OrderPlaced",
          data: { total: 7 },
        });
        assert.equal(await woken, true);
        await standin.waitFor(
          "the push",
          (r) => r.event === "pushed" && r.id === subscription.id && r.eventId === id,
        );

        await store.close();
        await standin.waitFor(
          "the subscription's cancellation",
          (r) => r.event === "cancelled" && r.id === subscription.id,
        );
        assert.equal(
          standin.records.filter(isSubscription).length,
          1,
          "one subscription, never re-opened",
        );
      } finally {
        await store.close();
        await connection.dispose();
        await endStandIn(standin);
      }
    });

    it("survives rounds of HTTP/2 keepalive PINGs sent by the client and by the server", async () => {
      // Both sides PING every 200 ms; an unanswered client PING drops the connection after 3 s.
      const standin = await startStandIn({ keepalive: 200 });
      const connection = under.connect(
        `${standin.url}&keepAliveInterval=200&keepAliveTimeout=3000`,
      );
      const store = createEventStoreDbStore(connection.client, {
        ...TRANSPORT_STORE_OPTIONS,
        namespace: "ka",
        resubscribeDelay: NEVER_RESUBSCRIBE,
      });
      try {
        const woken = store.waitForAppend(0n, { timeout: 60_000 });
        const subscription = await standin.waitFor("the $all subscription", isSubscription);
        // Long enough for a client PING left unanswered to have dropped the connection.
        await standin.waitFor(
          "the client's 20th PING",
          (r) => r.event === "client-ping" && (r.count as number) >= 20,
        );
        await until(
          () => standin.pingAnswers() >= 20,
          "20 of the stand-in's PINGs answered",
          30_000,
          50,
        );

        await standin.appendElsewhere("ka/order-1", {
          id: crypto.randomUUID(),
          type: "OrderPlaced",
          data: {},
        });
        assert.equal(await woken, true);
        assert.equal(
          standin.records.some((r) => r.event === "cancelled" && r.id === subscription.id),
          false,
        );
        assert.equal(
          standin.records.filter(isSubscription).length,
          1,
          "one subscription, never dropped",
        );
      } finally {
        await store.close();
        await connection.dispose();
        await endStandIn(standin);
      }
    });

    it("notices a server that crashed, and subscribes again once it is back", async () => {
      let standin: StandIn = await startStandIn();
      const connection = under.connect(standin.url);
      const store = createEventStoreDbStore(connection.client, {
        ...TRANSPORT_STORE_OPTIONS,
        namespace: "drop",
        resubscribeDelay: 200,
      });
      try {
        const woken = store.waitForAppend(0n, { timeout: 60_000 });
        await standin.waitFor("the $all subscription", isSubscription);
        await standin.stop({ crash: true });
        standin = await startStandIn({ port: standin.port });
        // Only a client that saw the connection die and made a new one reaches the new process.
        await standin.waitFor("a new subscription", isSubscription, 60_000);
        await standin.appendElsewhere("drop/order-1", {
          id: crypto.randomUUID(),
          type: "OrderPlaced",
          data: {},
        });
        assert.equal(await woken, true);
      } finally {
        await store.close();
        await connection.dispose();
        await endStandIn(standin);
      }
    });
  });
}
