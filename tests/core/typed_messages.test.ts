// Typed end to end: a union of message shapes given once types appends, reads,
// consumers and the bus, so `message.type` narrows `message.data`. The
// `@ts-expect-error` lines are the type tests: `npm run check` (tsc) and
// `deno test` (deno check) fail if any of them compiles. The rest runs too,
// with no casts anywhere.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PGliteInterface } from "@electric-sql/pglite";
import {
  createBus,
  createConsumer,
  createGroupConsumer,
  createInProcessTransport,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  type JsonValue,
  type MessageTypes,
  rebuildProjection,
  type RecordedMessage,
  type RecordedMessageOf,
  ValidationError,
} from "../../mod.ts";
import { createPGliteStore } from "../../stores/postgres/mod.ts";

// Data declared with interfaces, as ordinary TypeScript does.
interface OrderPlaced {
  readonly total: number;
  readonly note?: string;
}
interface OrderShipped {
  readonly carrier: string;
}
type OrderEvent =
  | { type: "OrderPlaced"; data: OrderPlaced }
  | { type: "OrderShipped"; data: OrderShipped };

/** What a folded order looks like; the switch must be exhaustive over the union. */
function describeOrder(message: RecordedMessageOf<OrderEvent>): string {
  switch (message.type) {
    case "OrderPlaced":
      return `placed ${message.data.total}`;
    case "OrderShipped":
      return `shipped by ${message.data.carrier}`;
  }
}

describe("typed messages", () => {
  it("a typed store checks appends against the union and narrows every read", async () => {
    const store = createMemoryStore<OrderEvent>();
    await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
    await store.append("order-1", [{ type: "OrderShipped", data: { carrier: "ups" } }]);
    // @ts-expect-error: a type outside the union
    await store.append("order-1", [{ type: "OrderLost", data: {} }]).catch(() => {});
    // @ts-expect-error: the wrong data for the type
    await store.append("order-2", [{ type: "OrderPlaced", data: { total: "30" } }]);
    // @ts-expect-error: data of another member of the union
    await store.append("order-3", [{ type: "OrderShipped", data: { total: 3 } }]);

    const described: string[] = [];
    for await (const message of store.readCategory("order")) described.push(describeOrder(message));
    assert.deepEqual(described.slice(0, 2), ["placed 30", "shipped by ups"]);

    const [first] = await store.readStream("order-1");
    if (first.type === "OrderPlaced") {
      const total: number = first.data.total;
      assert.equal(total, 30);
      // @ts-expect-error: narrowed to OrderPlaced, which has no carrier
      void first.data.carrier;
    }
    const page = await store.readPage({ category: "order" });
    const totals = page.messages.map((m) => (m.type === "OrderPlaced" ? m.data.total : 0));
    assert.deepEqual(totals.slice(0, 2), [30, 0]);
    const all = await store.readAll().toArray();
    const carrier: string | undefined = all[1].type === "OrderShipped"
      ? all[1].data.carrier
      : undefined;
    assert.equal(carrier, "ups");
  });

  it("an untyped store takes interface data without a cast, and still checks it is JSON at run time", async () => {
    const store = createMemoryStore();
    const placed: OrderPlaced = { total: 12 };
    await store.append("order-1", [{ type: "OrderPlaced", data: placed }]);
    const date = { when: new Date(0) };
    await assert.rejects(
      store.append("order-1", [{ type: "Dated", data: date }]),
      ValidationError,
    );
    // Reads stay as loose as before: any type name, JSON data.
    const [read] = await store.readStream("order-1");
    const data: JsonValue = read.data;
    const asBefore: RecordedMessage = read;
    assert.deepEqual([data, asBefore.type], [{ total: 12 }, "OrderPlaced"]);
    // @ts-expect-error: untyped data is JSON, not known to have a total
    void read.data.total;
  });

  it("a typed store still passes where any store is taken (transports), and no untyped store where a typed one is", () => {
    const typed = createMemoryStore<OrderEvent>();
    const untyped = createMemoryStore();
    const takesTyped = (store: EventStore<OrderEvent>) => store;
    takesTyped(typed);
    // @ts-expect-error: an untyped store holds more than OrderEvent
    takesTyped(untyped);
    const takesUntyped = (store: EventStore) => store;
    // @ts-expect-error: a store of interface data is not a store of any JSON data
    takesUntyped(typed);
  });

  it("consumers, groups and rebuilds infer the union from the store and narrow in handlers", async () => {
    const store = createMemoryStore<OrderEvent>();
    await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
    await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);
    await store.append("order-1", [{ type: "OrderShipped", data: { carrier: "dhl" } }]);
    let revenue = 0;
    const shipped: string[] = [];
    const consumer = createConsumer(store, {
      group: "revenue",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: (message, { tx }) =>
        tx.onCommit(() => {
          if (message.type === "OrderPlaced") revenue += message.data.total;
          else shipped.push(message.data.carrier);
        }),
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.deepEqual([revenue, shipped], [42, ["dhl"]]);

    const carriers: string[] = [];
    await rebuildProjection(store, {
      group: "carriers",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: (message) => {
        if (message.type === "OrderShipped") carriers.push(message.data.carrier);
        // @ts-expect-error: not narrowed, so a total may not be there
        void message.data.total;
      },
    });
    assert.deepEqual(carriers, ["dhl"]);

    const member = createGroupConsumer(store, {
      group: "notes",
      source: { category: "order" },
      partitions: 1,
      storage: createMemoryConsumerStorage(),
      handler: (message) => void (message.type === "OrderPlaced" && message.data.note),
    });
    await member.caughtUp;
    await member.stop();
  });

  it("the bus takes the same unions as contracts: publish is checked, subscribers narrow", async () => {
    type ShopEvent =
      | { type: "orders/placed"; data: OrderPlaced }
      | { type: "orders/shipped"; data: OrderShipped };
    type ShopCommand = { type: "orders/ship"; data: { orderId: string } };
    const bus = createBus<MessageTypes<{ events: ShopEvent; commands: ShopCommand }>>({
      transport: createInProcessTransport(),
    });
    const seen: string[] = [];
    let ready!: () => void;
    const bothSeen = new Promise<void>((resolve) => (ready = resolve));
    const subscription = bus.subscribe(
      "audit",
      ["orders/placed", "orders/shipped"],
      (event) => {
        seen.push(
          event.type === "orders/placed" ? `total ${event.data.total}` : event.data.carrier,
        );
        if (seen.length === 2) ready();
      },
    );
    await subscription.ready;
    bus.handleCommand("orders/ship", (command) => ({ shipping: command.data.orderId }));
    // Checked, not run:
    void (() => {
      // @ts-expect-error: no such event in the contracts
      bus.subscribe("lost", ["orders/lost"], () => {});
      // @ts-expect-error: the wrong data for the event
      bus.publish({ type: "orders/shipped", data: { total: 1 } });
      // @ts-expect-error: the wrong data for the command
      bus.send({ type: "orders/ship", data: { order: 1 } });
    });
    await bus.publish({ type: "orders/placed", data: { total: 5 } });
    await bus.publish({ type: "orders/shipped", data: { carrier: "ups" } });
    await bothSeen;
    assert.deepEqual(seen, ["total 5", "ups"]);
    await bus.close();
  });
});

// Typed PostgreSQL stores come from the same factories; this is checked, not run.
export function typedPostgres(pg: PGliteInterface): Promise<number> {
  const store = createPGliteStore<OrderEvent>(pg, { schema: "orders" });
  return store.readAll().toArray().then((all) =>
    all.reduce((sum, m) => sum + (m.type === "OrderPlaced" ? m.data.total : 0), 0)
  );
}
