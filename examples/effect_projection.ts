// `node --import tsx examples/effect_projection.ts`: the order-totals
// projection written with Effect. Messages are Effect Schema contracts (an
// OrderPlaced stored under schema version 1 is upcast when read); the
// projection runs as a consumer in a fiber, follows live appends, and is
// stopped by interrupting the fiber, which stores its checkpoint. A restart
// then goes on from that checkpoint.
import { Effect, Fiber, Ref, Schema } from "effect";
import {
  ConsumerStorage,
  defineMessage,
  EventStore,
  memoryLayer,
  runConsumer,
  startConsumer,
} from "../effect/mod.ts";
import type { RecordedMessage } from "../mod.ts";

// v1 had { amount }; v2 has { total, currency }.
const OrderPlaced = defineMessage(
  "OrderPlaced",
  Schema.Struct({ total: Schema.Number, currency: Schema.String }),
  {
    version: 2,
    upcasters: { 1: (v1) => ({ total: (v1 as { amount: number }).amount, currency: "EUR" }) },
  },
);
const ItemAdded = defineMessage("ItemAdded", Schema.Struct({ price: Schema.Number }));
const OrderShipped = defineMessage("OrderShipped", Schema.Struct({}));

/** Folds one message into the totals of open orders; idempotent per stream version. */
const project =
  (totals: Ref.Ref<Map<string, { total: number; version: number }>>) =>
  (message: RecordedMessage) =>
    Effect.gen(function* () {
      const order = message.streamName.slice("order-".length);
      const current = (yield* Ref.get(totals)).get(order);
      if (current !== undefined && current.version >= message.streamVersion) return; // a redelivery
      let total = current?.total ?? 0;
      if (OrderPlaced.is(message)) total = (yield* OrderPlaced.decode(message)).data.total;
      if (ItemAdded.is(message)) total += (yield* ItemAdded.decode(message)).data.price;
      const shipped = OrderShipped.is(message);
      yield* Ref.update(totals, (map) => {
        const next = new Map(map);
        if (shipped) next.delete(order);
        else next.set(order, { total, version: message.streamVersion });
        return next;
      });
    });

const program = Effect.gen(function* () {
  const store = yield* EventStore;
  const storage = yield* ConsumerStorage;
  const totals = yield* Ref.make(new Map<string, { total: number; version: number }>());
  const consumer = {
    group: "order-totals",
    source: { category: "order" },
    handler: project(totals),
  } as const;

  yield* store.append("order-1", [{ type: "OrderPlaced", data: { amount: 30 } }]); // written by v1 of the service
  yield* store.append("order-1", [yield* ItemAdded.make({ price: 5 })]);
  yield* store.append("order-2", [yield* OrderPlaced.make({ total: 12, currency: "EUR" })]);

  const fiber = yield* Effect.forkChild(runConsumer(consumer));
  yield* store.append("order-2", [yield* OrderShipped.make({})]);
  yield* store.append("order-3", [yield* OrderPlaced.make({ total: 7, currency: "EUR" })]);
  yield* Effect.sleep("50 millis");
  yield* Fiber.interrupt(fiber); // a graceful stop: the checkpoint is stored
  const checkpoint = yield* Effect.promise(() => storage.checkpoints.load("order-totals", 0));
  yield* Effect.log(`stopped at checkpoint ${checkpoint}`);

  // Appended while the projection is down; a restart continues from the checkpoint.
  yield* store.append("order-3", [yield* ItemAdded.make({ price: 1 })]);
  yield* Effect.scoped(Effect.flatMap(startConsumer(consumer), (started) => started.caughtUp));

  for (const [order, { total }] of yield* Ref.get(totals)) console.log(`order ${order}: ${total}`);
});

await Effect.runPromise(Effect.provide(program, memoryLayer()));
