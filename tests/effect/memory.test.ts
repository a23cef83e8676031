// The Effect API over the memory store: the shared scenarios, plus what only
// needs one store: defects, backpressure, handler timeouts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Cause, Effect, Exit, Layer, Stream } from "effect";
import {
  type AppendResult,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore as EventStorePort,
  type RecordedMessage,
  silentLogger,
} from "../../mod.ts";
import {
  ConsumerStorage,
  EventStore,
  memoryLayer,
  readMessages,
  startConsumer,
  storeLayer,
  withTimeout,
} from "../../effect/mod.ts";
import { messages } from "../contract/_fixtures.ts";
import { testEffectScenarios } from "./_scenarios.ts";

testEffectScenarios({ name: "the memory store", layer: () => memoryLayer() });

describe("Effect API, memory store only", () => {
  it("a closed store fails every call with ClosedError in the error channel, not as a defect", async () => {
    const port = createMemoryStore({ logger: silentLogger });
    await port.close();
    const tags = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* EventStore;
        const calls = [
          store.append("order-1", messages(1)),
          store.readStream("order-1"),
          store.readAll(),
          store.readCategory("order"),
          store.readPage(),
          store.getStreamInfo("order-1"),
          store.headPosition,
          store.waitForAppend(0n, { timeout: 5 }),
        ];
        const caught: string[] = [];
        for (const call of calls) {
          caught.push(
            yield* (call as Effect.Effect<unknown, { readonly _tag: string }>).pipe(
              Effect.as("succeeded"),
              Effect.catchTag("ClosedError", (error) => Effect.succeed(error._tag)),
            ),
          );
        }
        return caught;
      }).pipe(Effect.provide(storeLayer(port))),
    );
    assert.deepEqual(tags, Array(8).fill("ClosedError"));
  });

  it("a store failure that is not an ordo error stays a defect", async () => {
    const store: EventStorePort = {
      ...createMemoryStore(),
      append: () => Promise.reject<AppendResult>(new TypeError("boom")),
    };
    const exit = await Effect.runPromiseExit(
      EventStore.use((s) => s.append("order-1", messages(1))).pipe(
        Effect.provide(storeLayer(store)),
      ),
    );
    assert.ok(Exit.isFailure(exit));
    assert.ok(Cause.hasDies(exit.cause), "expected a defect");
    assert.ok(!Cause.hasFails(exit.cause), "expected no typed failure");
  });

  it("readMessages() reads the next page only when the one before was consumed", async () => {
    const inner = createMemoryStore();
    for (let i = 0; i < 10; i++) await inner.append(`order-${i}`, messages(10));
    let reads = 0;
    const counting: EventStorePort = Object.assign(Object.create(inner), {
      readPage: (
        ...args: Parameters<EventStorePort["readPage"]>
      ) => (reads++, inner.readPage(...args)),
    });
    const first = await Effect.runPromise(
      Stream.runCollect(Stream.take(readMessages({ category: "order" }, { pageSize: 10 }), 15))
        .pipe(Effect.provide(storeLayer(counting))),
    );
    assert.equal(first.length, 15);
    assert.ok(reads <= 2, `read ${reads} pages to take 15 messages of pages of 10`);
  });

  it("withTimeout() fails with ordo's TimeoutError, caught by catchTag", async () => {
    const message = await Effect.runPromise(
      withTimeout(Effect.never, "5 millis", "lookup").pipe(
        Effect.catchTag("TimeoutError", (error) => Effect.succeed(error.message)),
      ),
    );
    assert.equal(message, "Timed out after 5 ms: lookup");
  });

  it("startConsumer() parks a message whose handler keeps timing out, and moves on", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "Slow", data: {} }, { type: "Fast", data: {} }]);
    const storage = createMemoryConsumerStorage();
    const handled: string[] = [];
    const program = Effect.scoped(Effect.gen(function* () {
      const { caughtUp, consumer } = yield* startConsumer({
        group: "timeouts",
        source: { category: "order" },
        retry: { maxAttempts: 2, initialDelay: 0 },
        handlerTimeout: "10 millis",
        handler: (m: RecordedMessage) =>
          m.type === "Slow" ? Effect.never : Effect.sync(() => void handled.push(m.type)),
      });
      yield* caughtUp;
      return yield* Effect.promise(() => consumer.listParked());
    }));
    const parked = await Effect.runPromise(
      program.pipe(
        Effect.provide(Layer.mergeAll(storeLayer(store), Layer.succeed(ConsumerStorage, storage))),
      ),
    );
    assert.deepEqual(handled, ["Fast"]);
    assert.equal(parked.length, 1);
    assert.equal(parked[0].error.name, "TimeoutError");
    assert.equal(parked[0].attempts, 2);
  });
});
