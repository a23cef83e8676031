// `node --import tsx examples/effect_bus.ts`: commands, queries and events
// with Effect. The contracts are Effect Schema, so calls and handlers are
// typed through a service key of the app's own. Handlers are Effects that use
// the app's services (the event store here) and fail with typed errors: a
// refused command reaches the sender as a HandlerError, a flaky subscriber is
// retried by a Schedule. Everything goes through the store (the store-backed
// transport); swap memoryLayer() for pgliteLayer(() => new PGlite()) to keep
// it in embedded PostgreSQL. Closing the scope stops the handlers, and the
// layer closes the bus and the store.
import { Context, Data, Effect, Layer, Queue, Ref, Schedule, Schema } from "effect";
import {
  type BusService,
  decideAndAppend,
  EventStore,
  makeBus,
  memoryLayer,
  storeBackedTransport,
} from "../effect/mod.ts";

const contracts = {
  commands: {
    "orders/place": Schema.toStandardSchemaV1(
      Schema.Struct({ orderId: Schema.String, total: Schema.Number }),
    ),
  },
  queries: { "orders/total": Schema.toStandardSchemaV1(Schema.Struct({ orderId: Schema.String })) },
  events: {
    "orders/placed": Schema.toStandardSchemaV1(
      Schema.Struct({ orderId: Schema.String, total: Schema.Number }),
    ),
  },
};

/** The app's bus, typed by its contracts. */
class Orders extends Context.Service<Orders, BusService<typeof contracts>>()("example/Orders") {}

class OrderExists extends Data.TaggedError("OrderExists")<{ readonly orderId: string }> {}
// Effect's own idiom for an error without fields is `<{}>`; it makes the constructor take no argument.
// deno-lint-ignore ban-types
class MailServerBusy extends Data.TaggedError("MailServerBusy")<{}> {}

const OrdersLive = Layer.effect(Orders, makeBus({ transport: storeBackedTransport(), contracts }))
  .pipe(Layer.provideMerge(memoryLayer()));

const program = Effect.scoped(Effect.gen(function* () {
  const orders = yield* Orders;
  const store = yield* EventStore;

  // Decide against the order's own stream, then tell the world.
  yield* orders.handleCommand("orders/place", (command) =>
    Effect.gen(function* () {
      const { orderId, total } = command.data; // typed by the schema
      const placed = yield* decideAndAppend(`order-${orderId}`, (history) =>
        history.length > 0
          ? Effect.fail(new OrderExists({ orderId }))
          : Effect.succeed([{ type: "OrderPlaced", data: { total } }]));
      yield* orders.publish({ type: "orders/placed", data: { orderId, total }, key: orderId });
      return placed?.streamVersion;
    }), { retry: { maxAttempts: 1 } }); // a refusal is final: no retries

  yield* orders.handleQuery(
    "orders/total",
    ({ orderId }) =>
      Effect.map(
        store.readStream(`order-${orderId}`),
        (history) => (history[0]?.data as { total: number } | undefined)?.total ?? 0,
      ),
  );

  const revenue = yield* Ref.make(0);
  const handled = yield* Queue.unbounded<string>();
  yield* orders.subscribe(
    "revenue",
    ["orders/placed"],
    (event) =>
      Ref.update(revenue, (sum) => sum + event.data.total).pipe(
        Effect.andThen(Queue.offer(handled, "revenue")),
      ),
  );

  // The mail server is busy at each first try: the Schedule retries, each attempt in its own transaction.
  let retried = 0;
  yield* orders.subscribe("email", ["orders/placed"], (_event, { attempt }) => {
    if (attempt === 1) {
      return Effect.sync(() => retried++).pipe(Effect.andThen(Effect.fail(new MailServerBusy())));
    }
    return Queue.offer(handled, "email");
  }, { retry: Schedule.exponential("5 millis").pipe(Schedule.upTo({ times: 3 })) });

  const version = yield* orders.sendAndWait<"orders/place", number>({
    type: "orders/place",
    data: { orderId: "1", total: 30 },
  });
  console.log(`order 1 placed at version ${version}`);
  const again = yield* orders.sendAndWait({
    type: "orders/place",
    data: { orderId: "1", total: 99 },
  }).pipe(
    Effect.as("placed twice?"),
    Effect.catchTag("HandlerError", (error) => Effect.succeed(`refused (${error.errorName})`)),
  );
  console.log(`order 1 again: ${again}`);
  yield* orders.sendAndWait({ type: "orders/place", data: { orderId: "2", total: 12 } });
  console.log(`total of order 1: ${yield* orders.query("orders/total", { orderId: "1" })}`);

  for (let i = 0; i < 4; i++) yield* Queue.take(handled); // two events, two subscribers
  console.log(`revenue: ${yield* Ref.get(revenue)}`);
  console.log(`emails: 2 sent after ${retried} retries`);
}));

await Effect.runPromise(Effect.provide(program, OrdersLive));
