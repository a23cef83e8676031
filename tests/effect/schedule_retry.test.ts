// Schedules as handler retry policies: scheduleRetry() steps a fresh copy of
// the Schedule per message delivery, fed with the errors, and a consumer
// waits the delays it gives and parks when it is done.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Context, Effect, Layer, Schedule } from "effect";
import {
  createMemoryConsumerStorage,
  createMemoryStore,
  type RecordedMessage,
  type RetryPolicy,
} from "../../mod.ts";
import { ConsumerStorage, scheduleRetry, startConsumer, storeLayer } from "../../effect/mod.ts";

class Fatal extends Error {}

/** The policy's answers for one delivery failing `errors.length` times. */
async function answers(
  policy: RetryPolicy,
  errors: readonly unknown[],
): Promise<(number | undefined)[]> {
  const next = policy.delays!();
  const out: (number | undefined)[] = [];
  for (const [i, error] of errors.entries()) out.push(await next(i + 1, error));
  return out;
}

describe("scheduleRetry()", () => {
  it("gives the Schedule's delays, one step per failure, then undefined (park) when it is done", async () => {
    const policy = await Effect.runPromise(
      scheduleRetry(Schedule.exponential("10 millis").pipe(Schedule.upTo({ times: 3 }))),
    );
    const error = new Error("down");
    assert.deepEqual(await answers(policy, [error, error, error, error]), [10, 20, 40, undefined]);
  });

  it("starts each delivery from the Schedule's beginning: deliveries share no state", async () => {
    const policy = await Effect.runPromise(
      scheduleRetry(Schedule.fibonacci("5 millis").pipe(Schedule.upTo({ times: 4 }))),
    );
    const first = policy.delays!();
    const second = policy.delays!();
    assert.equal(await first(1, "x"), 5);
    assert.equal(await first(2, "x"), 5);
    assert.equal(await first(3, "x"), 10);
    assert.equal(await second(1, "x"), 5, "the second delivery continued the first one's Schedule");
  });

  it("feeds each failure to the Schedule as its input, so a Schedule can park at once on some errors", async () => {
    const schedule = Schedule.spaced("5 millis").pipe(
      Schedule.while(({ input }) => !(input instanceof Fatal)),
    );
    const policy = await Effect.runPromise(scheduleRetry(schedule));
    assert.deepEqual(
      await answers(policy, [new Error("busy"), new Error("busy"), new Fatal("bad data")]),
      [5, 5, undefined],
    );
  });

  it("steps the Schedule with the services of the effect that made the policy", async () => {
    class Attempts
      extends Context.Service<Attempts, { readonly seen: unknown[] }>()("test/Attempts") {}
    const schedule = Schedule.recurs(2).pipe(
      Schedule.tap((step) =>
        Effect.map(Attempts, (attempts) => void attempts.seen.push(step.input))
      ),
    );
    const seen: unknown[] = [];
    const policy = await Effect.runPromise(
      scheduleRetry(schedule).pipe(Effect.provideService(Attempts, { seen })),
    );
    assert.deepEqual(await answers(policy, ["a", "b", "c"]), [0, 0, undefined]);
    assert.deepEqual(seen, ["a", "b"]);
  });

  it("a consumer waits the Schedule's delays and makes the attempts it allows, then parks the message", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "Bad", data: {} }, { type: "Good", data: {} }]);
    const storage = createMemoryConsumerStorage();
    // The consumer asks the policy; this spy records what the Schedule answered, per delivery.
    const asked: [number, number | undefined][] = [];
    const attempts: number[] = [];
    const handled: string[] = [];
    const program = Effect.scoped(Effect.gen(function* () {
      const policy = yield* scheduleRetry(
        Schedule.exponential("2 millis").pipe(Schedule.upTo({ times: 3 })),
      );
      const spied: RetryPolicy = {
        delays: () => {
          const next = policy.delays!();
          return async (attempt, error) => {
            const delay = await next(attempt, error);
            asked.push([attempt, delay]);
            return delay;
          };
        },
      };
      const { caughtUp, consumer } = yield* startConsumer({
        group: "scheduled",
        source: { category: "order" },
        retry: spied,
        handler: (m: RecordedMessage, context) => {
          if (m.type === "Good") return Effect.sync(() => void handled.push(m.type));
          attempts.push(context.attempt);
          return Effect.fail(new RangeError(`attempt ${context.attempt}`));
        },
      });
      yield* caughtUp;
      return yield* Effect.promise(() => consumer.listParked());
    }));
    const parked = await Effect.runPromise(
      program.pipe(
        Effect.provide(Layer.mergeAll(storeLayer(store), Layer.succeed(ConsumerStorage, storage))),
      ),
    );
    assert.deepEqual(asked, [[1, 2], [2, 4], [3, 8], [4, undefined]]);
    assert.deepEqual(attempts, [1, 2, 3, 4]);
    assert.equal(parked.length, 1);
    assert.equal(parked[0].attempts, 4);
    assert.equal(parked[0].error.name, "RangeError");
    assert.deepEqual(handled, ["Good"]);
  });
});
