// readMessages and subscribe check their source and options where the stream
// is made: a refusal is the stream's failure (a ValidationError naming what
// was wrong), before anything is read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect, Stream } from "effect";
import { EventStore, memoryLayer, readMessages, subscribe } from "../../effect/mod.ts";

const run = <A, E>(program: Effect.Effect<A, E, EventStore>) =>
  Effect.runPromise(Effect.provide(program, memoryLayer()));

describe("readMessages and subscribe options", () => {
  for (
    const [what, source, options, path] of [
      ["a misspelt option", { category: "order" }, { pagesize: 10 }, /pagesize.*pageSize/s],
      ["a page size of 0", { category: "order" }, { pageSize: 0 }, /options\.pageSize/],
      ["a from given as a number", { category: "order" }, { from: 5 }, /options\.from/],
      ["a source with no kind", { categry: "order" }, {}, /categry.*category/s],
    ] as const
  ) {
    it(`${what} fails the stream with a ValidationError before anything is read`, async () => {
      for (const make of [readMessages, subscribe]) {
        const error = await run(
          Effect.flip(Stream.runCollect(make(source as never, options as never))),
        );
        assert.equal((error as { _tag: string })._tag, "ValidationError");
        assert.match((error as Error).message, path);
      }
    });
  }

  it("good options still read from where they say", async () => {
    const read = await run(Effect.gen(function* () {
      const store = yield* EventStore;
      for (let i = 0; i < 5; i++) {
        yield* store.append(`order-${i}`, [{ type: "OrderPlaced", data: { i } }]);
      }
      return yield* Stream.runCollect(
        readMessages({ category: "order" }, { from: 3n, pageSize: 2 }),
      );
    }));
    assert.deepEqual(Array.from(read).map((m) => (m.data as { i: number }).i), [2, 3, 4]);
  });
});
