import { Effect, Schema, Stream } from "effect";
import { defineMessage, EventStore, memoryLayer, readMessages } from "../effect/mod.ts";

const OrderPlaced = defineMessage("OrderPlaced", Schema.Struct({ total: Schema.Number }));

const program = Effect.gen(function* () {
  const store = yield* EventStore;
  yield* store.append("order-1", [yield* OrderPlaced.make({ total: 30 })], {
    expectedVersion: "no-stream",
  });
  yield* store.append("order-2", [yield* OrderPlaced.make({ total: 12 })]);

  // A stale expected version fails with ordo's ConcurrencyError, caught by its tag.
  const stale = yield* store.append("order-1", [yield* OrderPlaced.make({ total: 1 })], {
    expectedVersion: "no-stream",
  }).pipe(
    Effect.catchTag("ConcurrencyError", (error) => Effect.succeed(error.message)),
  );
  console.log(stale);

  // The category as a Stream, read in pages, decoded with the schema.
  const revenue = yield* readMessages({ category: "order" }).pipe(
    Stream.mapEffect(OrderPlaced.decode),
    Stream.runFold(() => 0, (sum: number, message) => sum + message.data.total),
  );
  console.log(`revenue: ${revenue}`); // revenue: 42
});

await Effect.runPromise(Effect.provide(program, memoryLayer()));
