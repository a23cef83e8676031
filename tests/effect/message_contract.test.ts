// Message contracts as Effect Schema: encoding, decoding, and upcasting a
// message stored under an older schema version when it is read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect, Schema, Stream } from "effect";
import { defineMessage, EventStore, memoryLayer, readMessages } from "../../effect/mod.ts";
import { ValidationError } from "../../mod.ts";

// v1: { amount }; v2: { amount, currency }; v3: { total: { amount, currency } }.
const OrderPlaced = defineMessage(
  "OrderPlaced",
  Schema.Struct({ total: Schema.Struct({ amount: Schema.Number, currency: Schema.String }) }),
  {
    version: 3,
    upcasters: {
      1: (v1) => ({ ...(v1 as object), currency: "EUR" }),
      2: (v2) => {
        const { amount, currency } = v2 as { amount: number; currency: string };
        return { total: { amount, currency } };
      },
    },
  },
);

const run = <A, E>(program: Effect.Effect<A, E, EventStore>) =>
  Effect.runPromise(Effect.provide(program, memoryLayer()));

describe("defineMessage()", () => {
  it("make() encodes the data and stamps metadata.schemaVersion", async () => {
    const input = await Effect.runPromise(
      OrderPlaced.make({ total: { amount: 3, currency: "USD" } }, {
        metadata: { correlationId: "c-1" },
      }),
    );
    assert.deepEqual(input, {
      type: "OrderPlaced",
      data: { total: { amount: 3, currency: "USD" } },
      metadata: { correlationId: "c-1", schemaVersion: 3 },
    });
  });

  it("decode() upcasts messages stored under versions 1 and 2 when they are read", () =>
    run(Effect.gen(function* () {
      const store = yield* EventStore;
      yield* store.append("order-1", [{ type: "OrderPlaced", data: { amount: 10 } }]); // no schemaVersion: version 1
      yield* store.append("order-2", [{
        type: "OrderPlaced",
        data: { amount: 20, currency: "USD" },
        metadata: { schemaVersion: 2 },
      }]);
      yield* store.append("order-3", [
        yield* OrderPlaced.make({ total: { amount: 30, currency: "GBP" } }),
      ]);
      const decoded = yield* Stream.runCollect(
        readMessages({ category: "order" }).pipe(Stream.mapEffect(OrderPlaced.decode)),
      );
      assert.deepEqual(decoded.map((m) => m.data), [
        { total: { amount: 10, currency: "EUR" } },
        { total: { amount: 20, currency: "USD" } },
        { total: { amount: 30, currency: "GBP" } },
      ]);
      assert.deepEqual(decoded.map((m) => m.metadata.schemaVersion), [3, 3, 3]);
    })));

  it("decode() fails with a ValidationError on data that does not fit, a newer version, or another type", () =>
    run(Effect.gen(function* () {
      const store = yield* EventStore;
      yield* store.append("order-1", [
        {
          type: "OrderPlaced",
          data: { total: { amount: "ten", currency: "EUR" } },
          metadata: { schemaVersion: 3 },
        },
        { type: "OrderPlaced", data: {}, metadata: { schemaVersion: 4 } },
        { type: "OrderShipped", data: {} },
      ]);
      const read = yield* store.readStream("order-1");
      const errors = yield* Effect.forEach(read, (m) => Effect.flip(OrderPlaced.decode(m)));
      for (const error of errors) assert.ok(error instanceof ValidationError);
      assert.match(errors[0].path, /data$/);
      assert.match(errors[1].path, /metadata\.schemaVersion$/);
      assert.match(errors[2].path, /type$/);
      const caught = yield* OrderPlaced.decode(read[0]).pipe(
        Effect.catchTag("ValidationError", () => Effect.succeed("caught")),
      );
      assert.equal(caught, "caught");
    })));

  it("make() fails with a ValidationError on data that does not fit the schema", async () => {
    const error = await Effect.runPromise(
      Effect.flip(
        OrderPlaced.make({ total: { amount: "x" as unknown as number, currency: "EUR" } }),
      ),
    );
    assert.equal(error._tag, "ValidationError");
  });

  it("refuses a version without an upcaster from each older version", () => {
    assert.throws(() => defineMessage("X", Schema.Struct({}), { version: 2 }), ValidationError);
  });
});
