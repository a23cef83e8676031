// The Effect bus's scenarios, run over any transport: Effect handlers with
// services, typed failures and defects down the bus's failure path, scoped
// registrations that stop gracefully, Schedules as handler retry policies,
// Effect Schema contracts typing the calls, and a delivery property.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  Context,
  Data,
  Deferred,
  Effect,
  Fiber,
  Layer,
  Schedule,
  Schema,
  type Scope,
} from "effect";
import { defineContracts, type ParkedMessage, type Transport } from "../../mod.ts";
import { Bus, busLayer, type BusService, makeBus, type StoreServices } from "../../effect/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { waitUntil } from "./_wait_until.ts";

export interface EffectBusScenarioOptions {
  readonly name: string;
  /** A fresh, empty store per call. */
  readonly store: () => Layer.Layer<StoreServices, unknown>;
  readonly transport: () => Effect.Effect<Transport, unknown, StoreServices>;
  /** Whether a group that stops and subscribes again resumes from a stored checkpoint. */
  readonly durableCheckpoints: boolean;
  readonly propertyRuns: number;
}

class Greeter extends Context.Service<Greeter, { readonly greet: (name: string) => string }>()(
  "test/Greeter",
) {}
class UserLocked extends Data.TaggedError("UserLocked")<{ readonly userId: string }> {}
class PaymentDeclined extends Data.TaggedError("PaymentDeclined")<{ readonly n: number }> {}

const LockUser = Schema.Struct({
  userId: Schema.String,
  reason: Schema.Struct({ code: Schema.Number }),
});
const contracts = defineContracts({
  commands: { "users/lock": Schema.toStandardSchemaV1(LockUser) },
  queries: { "users/show": Schema.toStandardSchemaV1(Schema.Struct({ userId: Schema.String })) },
  events: {
    "users/locked": Schema.toStandardSchemaV1(
      Schema.Struct({ userId: Schema.String, code: Schema.Number }),
    ),
  },
});
/** A service key of the test's own that carries the contracts' types. */
class Users extends Context.Service<Users, BusService<typeof contracts>>()("test/Users") {}

const NO_DELAY = { initialDelay: 0, maxDelay: 0 } as const;

export function testEffectBus(options: EffectBusScenarioOptions): void {
  const layer = () =>
    busLayer({ transport: options.transport() }).pipe(Layer.provideMerge(options.store()));
  const run = <A, E>(program: Effect.Effect<A, E, Bus | StoreServices | Scope.Scope>): Promise<A> =>
    Effect.runPromise(
      Effect.scoped(program).pipe(Effect.provide(layer())) as Effect.Effect<A, unknown>,
    );

  describe(`Effect bus over ${options.name}`, () => {
    it("handleCommand() runs an Effect handler with the registering effect's services; sendAndWait() gets its result", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        yield* bus.handleCommand("users/greet", (command) =>
          Effect.gen(function* () {
            const greeter = yield* Greeter;
            return greeter.greet((command.data as { name: string }).name);
          })).pipe(Effect.provideService(Greeter, { greet: (name) => `hello ${name}` }));
        assert.equal(
          yield* bus.sendAndWait({ type: "users/greet", data: { name: "Ada" } }),
          "hello Ada",
        );
        const receipt = yield* bus.send({ type: "users/greet", data: { name: "Bob" } });
        assert.equal(receipt.deduplicated, false);
      })));

    it("sendAndWait() fails with a HandlerError naming the handler's typed failure; the command is retried, then parked", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        const parked: ParkedMessage[] = [];
        let attempts = 0;
        yield* bus.handleCommand("users/lock", (command) => {
          attempts++;
          return Effect.fail(
            new UserLocked({ userId: (command.data as { userId: string }).userId }),
          );
        }, {
          retry: { maxAttempts: 2, ...NO_DELAY },
          onParked: (entry) => void parked.push(entry),
        });
        const error = yield* Effect.flip(
          bus.sendAndWait({ type: "users/lock", data: { userId: "u-9" } }),
        );
        assert.equal(error._tag, "HandlerError");
        assert.equal(error.errorName, "UserLocked");
        assert.match(error.message, /^Handler failed during sendAndWait "users\/lock": UserLocked/);
        // Every transport retries a command handler given a retry policy, then parks it.
        assert.equal(attempts, 2);
        assert.equal(parked.length, 1);
        assert.equal(parked[0].error.name, "UserLocked");
        // In the error channel, so catchTag sees it.
        const caught = yield* bus.sendAndWait({ type: "users/lock", data: { userId: "u-8" } }).pipe(
          Effect.catchTag("HandlerError", (e) => Effect.succeed(`caught ${e.errorName}`)),
        );
        assert.equal(caught, "caught UserLocked");
      })));

    it("a defect in a command handler fails sendAndWait() with a HandlerError too", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        yield* bus.handleCommand(
          "users/crash",
          () => Effect.die(new RangeError("index 7 is out of range")),
          { retry: { maxAttempts: 1 } },
        );
        const error = yield* Effect.flip(bus.sendAndWait({ type: "users/crash", data: {} }));
        assert.equal(error._tag, "HandlerError");
        assert.equal(error.errorName, "RangeError");
        assert.match(error.message, /index 7 is out of range$/);
      })));

    it("query() succeeds with the handler's answer, fails with a HandlerError when it fails, and with a NotFoundError for an unknown name", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        yield* bus.handleQuery("orders/show", (payload) => {
          const id = (payload as { id: string }).id;
          return id === "o-404"
            ? Effect.fail(new UserLocked({ userId: id }))
            : Effect.succeed({ id, total: 30 });
        });
        assert.deepEqual(yield* bus.query("orders/show", { id: "o-1" }), { id: "o-1", total: 30 });
        const failed = yield* Effect.flip(bus.query("orders/show", { id: "o-404" }));
        assert.equal(failed._tag, "HandlerError");
        assert.equal(failed.errorName, "UserLocked");
        const unknown = yield* Effect.flip(bus.query("orders/nope", {}));
        assert.equal(unknown._tag, "NotFoundError");
      })));

    it("subscribe(): every group gets the events; a failing Effect handler is retried, parked with its error, and the group moves on", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        const audit: number[] = [];
        const billing: number[] = [];
        const parked: ParkedMessage[] = [];
        yield* bus.subscribe(
          "audit",
          ["orders/placed"],
          (event) => Effect.sync(() => void audit.push((event.data as { n: number }).n)),
        );
        yield* bus.subscribe("billing", { category: "order" }, (event) => {
          const n = (event.data as { n: number }).n;
          return n === 2
            ? Effect.fail(new PaymentDeclined({ n }))
            : Effect.sync(() => void billing.push(n));
        }, {
          retry: { maxAttempts: 3, ...NO_DELAY },
          onParked: (entry) => void parked.push(entry),
        });
        for (let n = 1; n <= 3; n++) {
          yield* bus.publish({ type: "orders/placed", data: { n }, stream: "order-1" });
        }
        yield* waitUntil(
          () => audit.length === 3 && billing.length === 2 && parked.length === 1,
          "both groups",
        );
        assert.deepEqual(audit, [1, 2, 3]);
        assert.deepEqual(billing, [1, 3]);
        assert.equal(parked[0].error.name, "PaymentDeclined");
        assert.equal(parked[0].attempts, 3);
      })));

    it("closing a registration's scope lets the handler in progress finish, then no more events reach it", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        const handled: number[] = [];
        const started = yield* Deferred.make<void>();
        const subscribe = bus.subscribe(
          "slow",
          ["orders/placed"],
          (event) =>
            Effect.gen(function* () {
              yield* Deferred.succeed(started, undefined);
              yield* Effect.sleep("30 millis");
              handled.push((event.data as { n: number }).n);
            }),
        );
        const fiber = yield* Effect.forkChild(
          Effect.scoped(Effect.andThen(subscribe, Effect.never)),
        );
        yield* bus.publish({ type: "orders/placed", data: { n: 1 }, stream: "order-1" });
        yield* Deferred.await(started);
        yield* Fiber.interrupt(fiber);
        // The interrupt returned only once the handler in progress had finished.
        assert.deepEqual(handled, [1]);
        yield* bus.publish({ type: "orders/placed", data: { n: 2 }, stream: "order-1" });
        yield* Effect.sleep("50 millis");
        assert.deepEqual(handled, [1], "an event reached a stopped handler");
        if (options.durableCheckpoints) {
          // Subscribing again resumes after the finished event: its checkpoint was stored.
          const registration = yield* subscribe;
          yield* registration.ready;
          yield* waitUntil(() => handled.length === 2, "the resumed group");
          assert.deepEqual(handled, [1, 2]);
        }
      })));

    it("handlerTimeout interrupts a handler that takes too long; the event is retried, then parked with a TimeoutError", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        const parked: ParkedMessage[] = [];
        yield* bus.subscribe("stuck", ["orders/placed"], () => Effect.never, {
          handlerTimeout: "10 millis",
          retry: { maxAttempts: 2, ...NO_DELAY },
          onParked: (entry) => void parked.push(entry),
        });
        yield* bus.publish({ type: "orders/placed", data: {}, stream: "order-1" });
        yield* waitUntil(() => parked.length === 1, "the parked event");
        assert.equal(parked[0].error.name, "TimeoutError");
        assert.equal(parked[0].attempts, 2);
      })));

    it(
      "an event handler retried by a Schedule makes the attempts it allows, then its event is parked",
      () =>
        run(Effect.gen(function* () {
          const bus = yield* Bus;
          const attempts: number[] = [];
          const parked: ParkedMessage[] = [];
          yield* bus.subscribe("scheduled", ["orders/placed"], (_event, context) => {
            attempts.push(context.attempt);
            return Effect.fail(new PaymentDeclined({ n: context.attempt }));
          }, {
            retry: Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 2 })),
            onParked: (entry) => void parked.push(entry),
          });
          yield* bus.publish({ type: "orders/placed", data: {}, stream: "order-1" });
          yield* waitUntil(() => parked.length === 1, "the parked event");
          assert.deepEqual(attempts, [1, 2, 3]);
          assert.equal(parked[0].attempts, 3);
        })),
    );

    it(
      "a command handler retried by a Schedule makes the attempts it allows, then sendAndWait() fails",
      () =>
        run(Effect.gen(function* () {
          const bus = yield* Bus;
          const attempts: number[] = [];
          yield* bus.handleCommand("users/lock", (_command, context) => {
            attempts.push(context.attempt);
            return Effect.fail(new UserLocked({ userId: "u-1" }));
          }, { retry: Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 3 })) });
          const error = yield* Effect.flip(bus.sendAndWait({ type: "users/lock", data: {} }));
          assert.equal(error._tag, "HandlerError");
          assert.deepEqual(attempts, [1, 2, 3, 4]);
        })),
    );

    it("interrupting sendAndWait() stops the wait for a reply", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        const fiber = yield* Effect.forkChild(
          bus.sendAndWait({ type: "users/unhandled", data: {} }, { timeout: "1 minute" }),
        );
        yield* Effect.sleep("20 millis");
        yield* Fiber.interrupt(fiber);
        assert.ok(fiber.pollUnsafe() !== undefined, "the fiber is done");
      })));

    it("Effect Schema contracts type the calls and the handlers, and refuse bad data at the sender", () =>
      Effect.runPromise(
        Effect.scoped(Effect.gen(function* () {
          const users = yield* Users;
          const locked: string[] = [];
          yield* users.handleCommand("users/lock", (command) => {
            const code: number = command.data.reason.code; // inferred from the schema
            return Effect.succeed(code * 2);
          });
          yield* users.handleQuery(
            "users/show",
            (payload) => Effect.succeed(`user ${payload.userId}`),
          );
          yield* users.subscribe(
            "lock-log",
            ["users/locked"],
            (event) =>
              Effect.sync(() => void locked.push(`${event.data.userId}:${event.data.code}`)),
          );
          assert.equal(
            yield* users.sendAndWait<"users/lock", number>({
              type: "users/lock",
              data: { userId: "u-1", reason: { code: 7 } },
            }),
            14,
          );
          assert.equal(yield* users.query("users/show", { userId: "u-1" }), "user u-1");
          yield* users.publish({
            type: "users/locked",
            data: { userId: "u-1", code: 7 },
            stream: "users-1",
          });
          yield* waitUntil(() => locked.length === 1, "the typed subscriber");
          assert.deepEqual(locked, ["u-1:7"]);

          const refused = yield* users.send({
            type: "users/lock",
            data: { userId: "u-1", reason: { code: "x" as unknown as number } },
          }).pipe(
            Effect.catchTag("ValidationError", (error) => Effect.succeed(error.path)),
          );
          assert.equal(refused, "command.data.reason.code");
          // @ts-expect-error: "users/delete" is not a declared command
          const unknown = yield* Effect.flip(users.send({ type: "users/delete", data: {} }));
          assert.equal(unknown._tag, "ValidationError");
          const wrong = users.send({
            type: "users/lock",
            // @ts-expect-error: userId must be a string
            data: { userId: 1, reason: { code: 1 } },
          });
          assert.equal((yield* Effect.flip(wrong))._tag, "ValidationError");
        })).pipe(
          Effect.provide(
            Layer.effect(Users, makeBus({ transport: options.transport(), contracts })).pipe(
              Layer.provideMerge(options.store()),
            ),
          ),
        ),
      ));

    it("property: Effect handlers that fail or die a few times still handle every event once, in each stream's order", () =>
      run(Effect.gen(function* () {
        const bus = yield* Bus;
        let round = 0;
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.array(fc.record({ stream: fc.constantFrom("1", "2", "3"), failures: fc.nat(2) }), {
                minLength: 1,
                maxLength: 10,
              }),
              (events) =>
                Effect.runPromise(Effect.scoped(Effect.gen(function* () {
                  round++;
                  const done: string[] = [];
                  const tries = new Map<string, number>();
                  yield* bus.subscribe(`prop-${round}`, [`orders/prop${round}`], (event) => {
                    const { key, failures } = event.data as { key: string; failures: number };
                    const attempt = (tries.get(key) ?? 0) + 1;
                    tries.set(key, attempt);
                    if (attempt <= failures) {
                      return attempt % 2 === 1
                        ? Effect.fail(new PaymentDeclined({ n: attempt }))
                        : Effect.die(new Error("boom"));
                    }
                    return Effect.sync(() => void done.push(key));
                  }, { retry: { maxAttempts: 3, ...NO_DELAY } });
                  const published: string[] = [];
                  for (const [i, { stream, failures }] of events.entries()) {
                    const key = `${stream}#${i}`;
                    yield* bus.publish({
                      type: `orders/prop${round}`,
                      data: { key, failures },
                      stream: `prop${round}_${stream}-x`,
                    });
                    published.push(key);
                  }
                  yield* waitUntil(() => done.length === published.length, "every event");
                  assert.deepEqual([...done].sort(), [...published].sort());
                  for (const stream of ["1", "2", "3"]) {
                    assert.deepEqual(
                      done.filter((k) => k.startsWith(`${stream}#`)),
                      published.filter((k) => k.startsWith(`${stream}#`)),
                    );
                  }
                  for (const [i, { failures }] of events.entries()) {
                    assert.equal(tries.get(`${events[i].stream}#${i}`), failures + 1);
                  }
                }))),
            ),
            propertyParameters(options.propertyRuns),
          )
        );
      })));
  });
}
