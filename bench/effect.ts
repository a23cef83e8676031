// What the Effect entry costs over the Promise API it wraps, same run, same
// machine: an in-process query through the Effect bus against the same query
// through the Promise bus, and an append to the memory store through the
// EventStore service against the store's own append. Each side runs its loop
// inside one program (the Effect side as one Effect.gen), so the figure is the
// per-call cost of the wrapper: the fiber steps, the error mapping and the
// trace bridge (docs/decisions/observability.md, "Effect's spans").
import { Context, Effect, Exit, Layer, Scope } from "effect";
import { createBus, createMemoryStore } from "../mod.ts";
import { createInProcessTransport } from "../transports/in_process.ts";
import { Bus, busLayer, EventStore, inProcessTransport, memoryLayer } from "../effect/mod.ts";
import { type BenchRow, bestRates } from "./_measure.ts";

const QUERIES = 100_000;
const APPENDS = 50_000;
const ROUNDS = 7;

export async function benchEffect(): Promise<BenchRow[]> {
  // Queries: one handler answering at once, each call awaited before the next.
  const bus = createBus({ transport: createInProcessTransport() });
  bus.handleQuery("users/get", () => 1);
  // The Effect bus and its handler live in a scope kept open for the whole measurement.
  const scope = await Effect.runPromise(Scope.make());
  const services = await Effect.runPromise(
    Layer.buildWithScope(busLayer({ transport: inProcessTransport() }), scope),
  );
  const inScope = <A, E>(effect: Effect.Effect<A, E, Bus | Scope.Scope>) =>
    Effect.runPromise(Effect.provideService(Effect.provide(effect, services), Scope.Scope, scope));
  const effectBus = Context.get(services, Bus);
  await inScope(effectBus.handleQuery("users/get", () => Effect.succeed(1)));
  const runEffectQueries = () =>
    Effect.runPromise(Effect.gen(function* () {
      for (let i = 0; i < QUERIES; i++) yield* effectBus.query("users/get", {});
    }));
  const [promiseQuery, effectQuery] = await bestRates(QUERIES, ROUNDS, async () => {
    for (let i = 0; i < QUERIES; i++) await bus.query("users/get", {});
  }, runEffectQueries);
  await Effect.runPromise(Scope.close(scope, Exit.void));
  await bus.close();

  // Appends: a new memory store per round on each side, one message per call.
  const message = () => [{ type: "OrderPlaced", data: { total: 3 } }];
  const [promiseAppend, effectAppend] = await bestRates(APPENDS, ROUNDS, async () => {
    const store = createMemoryStore();
    for (let i = 0; i < APPENDS; i++) await store.append(`order-${i % 1000}`, message());
  }, () =>
    Effect.runPromise(Effect.provide(
      Effect.gen(function* () {
        const store = yield* EventStore;
        for (let i = 0; i < APPENDS; i++) yield* store.append(`order-${i % 1000}`, message());
      }),
      memoryLayer(),
    )));

  return [
    {
      scenario: "effect: in-process query through the Effect bus",
      ordo: effectQuery,
      baseline: promiseQuery,
      baselineName: "the Promise bus",
      unit: "calls/s",
    },
    {
      scenario: "effect: memory-store append through the EventStore service",
      ordo: effectAppend,
      baseline: promiseAppend,
      baselineName: "the store's append",
      unit: "msg/s",
    },
  ];
}
