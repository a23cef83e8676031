// createCommandHandler: read, fold, decide, append with the expected version,
// retry on conflict with backoff, a bounded number of times.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ConcurrencyError,
  createCommandHandler,
  createMemoryStore,
  type Decider,
  type EventStore,
  ValidationError,
} from "../../mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

type CounterEvent =
  | { type: "Incremented"; data: { to: number } }
  | { type: "Reset"; data: { reason: string } };
type CounterCommand = { readonly kind: "increment" } | { readonly kind: "reset"; reason: string };

const counter: Decider<CounterCommand, number, CounterEvent> = {
  initialState: () => 0,
  evolve: (_count, message) => (message.type === "Incremented" ? message.data.to : 0),
  decide: (command, count) => {
    if (command.kind === "reset") {
      if (count === 0) return [];
      if (command.reason === "") throw new RangeError("A reset needs a reason");
      return { type: "Reset", data: { reason: command.reason } };
    }
    return [{ type: "Incremented", data: { to: count + 1 } }];
  },
};

/** The store with some of its methods replaced (the others bound to it). */
function overriding<S extends object>(store: S, overrides: Partial<S>): S {
  return new Proxy(store, {
    get: (target, key) => {
      if (Reflect.has(overrides, key)) return Reflect.get(overrides, key);
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The store, with `meanwhile` run after each stream read: between the handler's read and its append. */
function withWriterBefore(
  store: EventStore<CounterEvent>,
  meanwhile: () => Promise<unknown>,
): EventStore<CounterEvent> {
  return overriding(store, {
    readStream: async (...args: Parameters<EventStore<CounterEvent>["readStream"]>) => {
      const read = await store.readStream(...args);
      await meanwhile();
      return read;
    },
  });
}

describe("createCommandHandler()", () => {
  it("reads, folds, decides and appends with the expected version; the state comes back", async () => {
    const store = createMemoryStore<CounterEvent>();
    const handle = createCommandHandler(store, counter);
    const first = await handle("counter-1", { kind: "increment" });
    assert.equal(first.state, 1);
    assert.equal(first.appended?.streamVersion, 0);
    assert.equal(first.attempts, 1);
    const second = await handle("counter-1", { kind: "increment" });
    assert.deepEqual([second.state, second.appended?.streamVersion], [2, 1]);
    const stream = await store.readStream("counter-1");
    assert.deepEqual(stream.map((m) => m.data), [{ to: 1 }, { to: 2 }]);
  });

  it("refuses a decider missing a function, or the arguments swapped, when made, naming what is wrong", () => {
    const store = createMemoryStore<CounterEvent>();
    const refused = (path: string, says: RegExp) => (error: unknown) =>
      error instanceof ValidationError && error.path === path && says.test(error.message);
    const { evolve: _evolve, ...noEvolve } = counter;
    assert.throws(
      () => createCommandHandler(store, noEvolve as never),
      refused("decider.evolve", /^Invalid decider\.evolve \(undefined\): must be a function$/),
    );
    assert.throws(
      () => createCommandHandler(store, { ...counter, initialState: 0 } as never),
      refused("decider.initialState", /must be a function/),
    );
    assert.throws(
      () => createCommandHandler(store, undefined as never),
      refused("decider", /expected a decider \{ initialState, evolve, decide \}/),
    );
    assert.throws(
      () => createCommandHandler(counter as never, store as never),
      refused("store", /expected an EventStore .* the decider second/),
    );
  });

  it("appends nothing when decide decides nothing", async () => {
    const store = createMemoryStore<CounterEvent>();
    const result = await createCommandHandler(store, counter)("counter-1", {
      kind: "reset",
      reason: "x",
    });
    assert.deepEqual([result.state, result.messages, result.appended], [0, [], undefined]);
    assert.equal(await store.headPosition(), 0n);
  });

  it("passes a refusal from decide through as it is, without retrying or appending", async () => {
    const store = createMemoryStore<CounterEvent>();
    const handle = createCommandHandler(store, counter);
    await handle("counter-1", { kind: "increment" });
    await assert.rejects(handle("counter-1", { kind: "reset", reason: "" }), RangeError);
    assert.equal((await store.readStream("counter-1")).length, 1);
  });

  it("starts over after a conflict, against the stream as it then is", async () => {
    const store = createMemoryStore<CounterEvent>();
    let interfere = true;
    const racing = withWriterBefore(store, async () => {
      if (!interfere) return;
      interfere = false;
      await store.append("counter-1", [{ type: "Incremented", data: { to: 1 } }]);
    });
    const result = await createCommandHandler(racing, counter, { retry: { initialDelay: 0 } })(
      "counter-1",
      { kind: "increment" },
    );
    assert.deepEqual([result.state, result.attempts], [2, 2]);
    const stream = await store.readStream("counter-1");
    assert.deepEqual(stream.map((m) => m.data), [{ to: 1 }, { to: 2 }]);
  });

  it("throws the last conflict after maxAttempts attempts", async () => {
    const store = createMemoryStore<CounterEvent>();
    let attempts = 0;
    const alwaysBeaten = withWriterBefore(store, () => {
      attempts++;
      return store.append("counter-1", [{ type: "Reset", data: { reason: "beaten" } }]);
    });
    const handle = createCommandHandler(alwaysBeaten, counter, {
      retry: { maxAttempts: 3, initialDelay: 0 },
    });
    await assert.rejects(handle("counter-1", { kind: "increment" }), ConcurrencyError);
    assert.equal(attempts, 3);
  });

  it("stops waiting between attempts when the signal aborts", async () => {
    const store = createMemoryStore<CounterEvent>();
    const controller = new AbortController();
    const beaten = withWriterBefore(store, () => {
      controller.abort(new Error("give up"));
      return store.append("counter-1", [{ type: "Reset", data: { reason: "beaten" } }]);
    });
    const handle = createCommandHandler(beaten, counter, {
      retry: { initialDelay: 60_000, maxDelay: 60_000 },
    });
    await assert.rejects(
      handle("counter-1", { kind: "increment" }, { signal: controller.signal }),
      /give up/,
    );
  });

  it("loses no update when concurrent commands interleave in any order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 6 }), async (s, count) => {
        const store = createMemoryStore<CounterEvent>();
        // Every read waits for the scheduler, so other handlers read and append in between.
        const scheduled = overriding(store, {
          readStream: s.scheduleFunction((name: string) => store.readStream(name)),
        });
        const handle = createCommandHandler(scheduled, counter, {
          retry: { maxAttempts: 50, initialDelay: 0 },
        });
        const results = await s.waitFor(
          Promise.all(
            Array.from({ length: count }, () => handle("counter-1", { kind: "increment" })),
          ),
        );
        const stream = await store.readStream("counter-1");
        assert.deepEqual(
          stream.map((m) => m.data),
          Array.from({ length: count }, (_, i) => ({ to: i + 1 })),
          "each increment applied once, on top of the one before",
        );
        assert.deepEqual(
          results.map((r) => r.state).sort((a, b) => a - b),
          stream.map((_, i) => i + 1),
        );
      }),
      propertyParameters(100),
    );
  });

  it("takes its message types from the decider, over a typed or untyped store", async () => {
    const typed = createMemoryStore<CounterEvent | { type: "Other"; data: { x: number } }>();
    const untyped = createMemoryStore();
    const results = await Promise.all(
      [typed, untyped].map((store) =>
        createCommandHandler(store, counter)("counter-1", { kind: "increment" })
      ),
    );
    const [first] = results[0].messages;
    // @ts-expect-error: the messages are the decider's union, and this one is no Reset
    void (first.type === "Incremented" && first.data.reason);
    const wrong: Decider<CounterCommand, number, CounterEvent> = {
      ...counter,
      // @ts-expect-error: decide may only return the union's messages
      decide: () => [{ type: "Incremented", data: { to: "one" } }],
    };
    void wrong;
  });
});
