// The Effect API's contract scenarios, run against any store layer: a few key
// cases of the store contract (append/read, expected-version conflicts through
// catchTag, idempotent retries), streams, scoped consumers and group members,
// Schedules as handler retry policies, and the decide-then-append loop. Each
// test builds the layer afresh.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Effect, Fiber, type Layer, Schedule, Stream } from "effect";
import { ConcurrencyError, partitionOf, type RecordedMessage } from "../../mod.ts";
import {
  ConsumerStorage,
  decideAndAppend,
  EventStore,
  readMessages,
  runConsumer,
  runGroupConsumer,
  startConsumer,
  type StoreServices,
  subscribe,
} from "../../effect/mod.ts";
import { message, messages } from "../contract/_fixtures.ts";
import { waitUntil } from "./_wait_until.ts";

/** What the scenarios need: a fresh, empty store per call. */
export interface EffectScenarioOptions {
  readonly name: string;
  readonly layer: () => Layer.Layer<StoreServices, unknown>;
}

/** Runs `program` with a fresh layer. */
export function runWith<A, E>(
  options: EffectScenarioOptions,
  program: Effect.Effect<A, E, StoreServices>,
): Promise<A> {
  return Effect.runPromise(Effect.provide(program, options.layer()) as Effect.Effect<A, unknown>);
}

export function testEffectScenarios(options: EffectScenarioOptions): void {
  const run = <A, E>(program: Effect.Effect<A, E, StoreServices>) => runWith(options, program);

  describe(`Effect API over ${options.name}`, () => {
    it("append() then readStream() returns the messages with contiguous versions", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        const batch = messages(3);
        const result = yield* store.append("order-1", batch, { expectedVersion: "no-stream" });
        assert.equal(result.streamVersion, 2);
        const read = yield* store.readStream("order-1");
        assert.deepEqual(read.map((m) => [m.id, m.streamVersion]), batch.map((m, i) => [m.id, i]));
        assert.equal(yield* store.headPosition, result.globalPosition);
      })));

    it("append() with awaitGlobalPosition: false succeeds with stream versions, and the messages become readable in order", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        const first = yield* store.append("order-1", messages(2), { awaitGlobalPosition: false });
        const second = yield* store.append("order-1", messages(1), {
          expectedVersion: 1,
          awaitGlobalPosition: false,
        });
        assert.deepEqual([first.streamVersion, second.streamVersion], [1, 2]);
        const stale = yield* store.append("order-1", messages(1), {
          expectedVersion: 1,
          awaitGlobalPosition: false,
        }).pipe(
          Effect.catchTag("ConcurrencyError", (error) => Effect.succeed(error.actualVersion)),
        );
        assert.equal(stale, 2);
        while (!(yield* store.waitForAppend(2n, { timeout: 5000 }))) { /* numbering pending */ }
        const read = yield* store.readAll();
        assert.deepEqual(
          read.map((m) => m.id),
          [...first.positions, ...second.positions].map((p) => p.id),
        );
      })));

    it("append() with a stale expected version fails with a ConcurrencyError caught by catchTag", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        yield* store.append("order-1", [message()], { expectedVersion: "no-stream" });
        const outcome = yield* store.append("order-1", [message()], {
          expectedVersion: "no-stream",
        }).pipe(
          Effect.map(() => "appended" as const),
          Effect.catchTag("ConcurrencyError", (error) => Effect.succeed(error)),
        );
        assert.ok(
          outcome instanceof ConcurrencyError,
          `expected a ConcurrencyError, got ${String(outcome)}`,
        );
        assert.equal(outcome.streamName, "order-1");
        assert.equal(outcome.expectedVersion, "no-stream");
        assert.equal(outcome.actualVersion, 0);
        assert.equal((yield* store.readStream("order-1")).length, 1);
      })));

    it("append() with bad input fails with a ValidationError in the error channel", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        const error = yield* Effect.flip(store.append("no dashes here!", [message()]));
        assert.equal(error._tag, "ValidationError");
      })));

    it("append() retried with the same ids is deduplicated and returns the original positions", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        const batch = messages(2);
        const first = yield* store.append("order-1", batch);
        const retry = yield* store.append("order-1", batch);
        assert.equal(retry.deduplicated, true);
        assert.deepEqual(retry.positions, first.positions);
        assert.equal((yield* store.readStream("order-1")).length, 2);
      })));

    it("readMessages() reads a category in pages, in global order, and ends", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        for (let i = 0; i < 10; i++) {
          yield* store.append(`order-${i % 3}`, [message("Placed", { i })]);
        }
        yield* store.append("user-1", [message()]);
        const read = yield* Stream.runCollect(readMessages({ category: "order" }, { pageSize: 3 }));
        assert.deepEqual(read.map((m) => (m.data as { i: number }).i), [
          0,
          1,
          2,
          3,
          4,
          5,
          6,
          7,
          8,
          9,
        ]);
      })));

    it("subscribe() catches up, then follows live appends", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        yield* store.append("order-1", messages(5));
        const fiber = yield* Effect.forkChild(
          Stream.runCollect(Stream.take(subscribe({ category: "order" }, { pageSize: 2 }), 8)),
        );
        yield* Effect.sleep("20 millis");
        yield* store.append("user-1", [message()]);
        yield* store.append("order-2", messages(3));
        const got = yield* Fiber.join(fiber);
        assert.equal(got.length, 8);
        assert.deepEqual(got.map((m) => m.streamName), [
          ...Array(5).fill("order-1"),
          ...Array(3).fill("order-2"),
        ]);
      })));

    it("subscribe() waiting for appends stops when interrupted", () =>
      run(Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(Stream.runDrain(subscribe({ all: true })));
        yield* Effect.sleep("20 millis");
        const started = Date.now();
        yield* Fiber.interrupt(fiber);
        assert.ok(Date.now() - started < 1000);
      })));

    it("runConsumer() interrupted mid-run stores the last handled position + 1; a restart handles nothing twice", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        const storage = yield* ConsumerStorage;
        for (let i = 0; i < 30; i++) {
          yield* store.append(`order-${i % 4}`, [message("Placed", { i })]);
        }
        const handled: RecordedMessage[] = [];
        const consumer = {
          group: "effect-interrupt",
          source: { category: "order" },
          batchSize: 7,
          handler: (m: RecordedMessage) =>
            Effect.sleep("3 millis").pipe(Effect.andThen(Effect.sync(() => void handled.push(m)))),
        } as const;
        const fiber = yield* Effect.forkChild(runConsumer(consumer));
        yield* waitUntil(() => handled.length >= 5);
        yield* Fiber.interrupt(fiber);
        const atStop = handled.length;
        assert.ok(atStop < 30, `the consumer handled all ${atStop} messages before the interrupt`);
        const checkpoint = yield* Effect.promise(() =>
          storage.checkpoints.load("effect-interrupt", 0)
        );
        assert.equal(checkpoint, handled[atStop - 1].globalPosition + 1n);
        yield* Effect.sleep("30 millis");
        assert.equal(handled.length, atStop, "the consumer kept handling after the interrupt");

        yield* Effect.scoped(
          Effect.flatMap(startConsumer(consumer), (started) => started.caughtUp),
        );
        const ids = handled.map((m) => m.id);
        assert.equal(new Set(ids).size, ids.length, "a message was handled twice");
        assert.deepEqual(
          handled.map((m) => (m.data as { i: number }).i),
          Array.from({ length: 30 }, (_, i) => i),
        );
      })));

    it("runGroupConsumer() members share the partitions; an interrupted one stores its checkpoints and releases its leases, and the other takes over", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        const storage = yield* ConsumerStorage;
        for (let i = 0; i < 40; i++) {
          yield* store.append(`order-${i % 8}`, [message("Placed", { i })]);
        }
        const handled: { readonly member: string; readonly message: RecordedMessage }[] = [];
        const member = (name: string) =>
          runGroupConsumer({
            group: "effect-group",
            source: { category: "order" },
            partitions: 4,
            member: name,
            leaseTtl: 5_000,
            heartbeatInterval: 20,
            handler: (m: RecordedMessage) =>
              Effect.sleep("5 millis").pipe(
                Effect.andThen(Effect.sync(() => void handled.push({ member: name, message: m }))),
              ),
          });
        const a = yield* Effect.forkChild(member("a"));
        const b = yield* Effect.forkChild(member("b"));
        yield* waitUntil(
          () => handled.some((h) => h.member === "a") && handled.length >= 8,
          "member a at work",
        );
        yield* Fiber.interrupt(a);

        const leases = yield* Effect.promise(() => storage.leases.list("effect-group"));
        assert.deepEqual(
          leases.filter((lease) => lease.owner === "a"),
          [],
          "the stopped member still holds leases",
        );
        for (const { message: m } of handled.filter((h) => h.member === "a")) {
          const checkpoint = yield* Effect.promise(() =>
            storage.checkpoints.load("effect-group", partitionOf(m.streamName, 4))
          );
          assert.ok(
            checkpoint !== undefined && checkpoint > m.globalPosition,
            `the checkpoint of ${m.streamName} is before a message member a handled`,
          );
        }
        const byA = handled.filter((h) => h.member === "a").length;
        yield* waitUntil(() => handled.length >= 40, "member b to take over");
        assert.equal(
          handled.filter((h) => h.member === "a").length,
          byA,
          "member a handled a message after its interrupt",
        );
        yield* Fiber.interrupt(b);
        assert.deepEqual(yield* Effect.promise(() => storage.leases.list("effect-group")), []);

        const ids = handled.map((h) => h.message.id);
        assert.equal(new Set(ids).size, 40, "a message was handled twice");
        for (let s = 0; s < 8; s++) {
          const order = handled.filter((h) => h.message.streamName === `order-${s}`).map((h) =>
            h.message.streamVersion
          );
          assert.deepEqual(order, [0, 1, 2, 3, 4], `order-${s} out of order`);
        }
      })));

    it("startConsumer() with a Schedule as its retry policy makes the attempts the Schedule allows, then parks the message", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        yield* store.append("order-1", [message("Bad"), message("Good")]);
        const attempts: number[] = [];
        const good: string[] = [];
        const parked = yield* Effect.scoped(Effect.gen(function* () {
          const { caughtUp, consumer } = yield* startConsumer({
            group: "effect-schedule",
            source: { category: "order" },
            retry: Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 3 })),
            handler: (m: RecordedMessage, context) => {
              if (m.type === "Good") return Effect.sync(() => void good.push(m.type));
              attempts.push(context.attempt);
              return Effect.fail(new RangeError(`attempt ${context.attempt}`));
            },
          });
          yield* caughtUp;
          return yield* Effect.promise(() => consumer.listParked());
        }));
        assert.deepEqual(attempts, [1, 2, 3, 4]);
        assert.equal(parked.length, 1);
        assert.equal(parked[0].attempts, 4);
        assert.equal(parked[0].error.message, "attempt 4");
        assert.deepEqual(good, ["Good"]);
      })));

    it("startConsumer() with an Effect pageHandler gets pages whole; a failing page is narrowed down and only the message at fault is parked", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        yield* store.append("order-1", [
          message("Good"),
          message("Good"),
          message("Bad"),
          message("Good"),
          message("Good"),
        ]);
        const pages: string[][] = [];
        const handled: string[] = [];
        const parked = yield* Effect.scoped(Effect.gen(function* () {
          const { caughtUp, consumer } = yield* startConsumer({
            group: "effect-pages",
            source: { category: "order" },
            batchSize: 5,
            retry: { maxAttempts: 2, initialDelay: 0, maxDelay: 0 },
            pageHandler: (page: readonly RecordedMessage[]) => {
              pages.push(page.map((m) => m.type));
              if (page.some((m) => m.type === "Bad")) return Effect.fail(new RangeError("bad"));
              return Effect.sync(() => void handled.push(...page.map((m) => m.type)));
            },
          });
          yield* caughtUp;
          return yield* Effect.promise(() => consumer.listParked());
        }));
        assert.deepEqual(pages, [
          ["Good", "Good", "Bad", "Good", "Good"],
          ["Good", "Good", "Bad"],
          ["Good", "Good"],
          ["Bad"],
          ["Bad"],
          ["Good", "Good"],
        ]);
        assert.deepEqual(handled, ["Good", "Good", "Good", "Good"]);
        assert.deepEqual(parked.map((p) => [p.message.type, p.attempts]), [["Bad", 2]]);
      })));

    it("decideAndAppend() decides again after another writer moved the stream", () =>
      run(Effect.gen(function* () {
        const store = yield* EventStore;
        let calls = 0;
        const result = yield* decideAndAppend("order-1", (history) =>
          Effect.gen(function* () {
            calls++;
            // The first time, another writer gets in between the read and the append.
            if (calls === 1) yield* store.append("order-1", [message("Interloper")]);
            return [message("Decided", { seen: history.length })];
          }));
        assert.equal(calls, 2);
        assert.equal(result?.streamVersion, 1);
        const read = yield* store.readStream("order-1");
        assert.deepEqual(read.map((m) => [m.type, m.data]), [["Interloper", {}], ["Decided", {
          seen: 1,
        }]]);
      })));
  });
}
