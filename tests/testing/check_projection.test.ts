// What checkProjection says when something other than a read model goes wrong:
// a projection that throws, under every check, the crash check included, which
// must report it at once rather than retry it; a history the store refuses,
// which is the arbitrary's fault, not the projection's; for each check, what to
// change; and arguments it cannot use, refused before anything runs.
// tests/consumers/check_projection.test.ts checks its power on the examples.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ValidationError } from "../../mod.ts";
import { AssertionError, checkProjection } from "../../testing/mod.ts";
import { ProjectionHung, settles as settlesWithin } from "../../testing/_settles.ts";
import { settles } from "../_until.ts";

const events = fc.array(
  fc.record({
    streamName: fc.constantFrom("order-1", "order-2"),
    type: fc.constant("OrderPlaced"),
    data: fc.record({ total: fc.nat(100) }),
  }),
  { maxLength: 10 },
);

type Seen = { readonly seen: Set<string> };

describe("checkProjection() of a projection that throws", () => {
  // Throws on a redelivery instead of skipping it: the crash check redelivers
  // after every simulated crash, so it must see the throw and report it.
  const strict = {
    init: (): Seen => ({ seen: new Set() }),
    apply: (model: Seen, m: { readonly id: string }) => {
      if (model.seen.has(m.id)) throw new Error("already applied");
      model.seen.add(m.id);
    },
    view: (model: Seen) => model.seen.size,
  };
  const threw = (error: unknown) => {
    assert.ok(error instanceof AssertionError, `expected ordo's AssertionError, got ${error}`);
    assert.match(
      error.message,
      /^checkProjection: the projection threw: Error: already applied\n {2}it threw under (duplicated deliveries|crashes and restarts of a consumer)\n {2}what to change: /,
    );
    assert.match(
      error.message,
      /\n {2}history \(the shortest found, \d+ event\(s\), after \d+ shrinks\):\n {4}1\. order-/,
    );
    assert.match(error.message, /\n {2}replay with parameters: \{ seed: -?\d+, path: "[\d:]*" \}/);
    assert.ok(error.cause instanceof Error && error.cause.message === "already applied");
    return true;
  };

  const variants = [
    { label: "with every check", checks: {} },
    { label: "without the duplicates check", checks: { duplicates: false } },
  ];
  for (const { label, checks } of variants) {
    it(`reports a throw on redelivery within seconds, ${label}, for several seeds`, async () => {
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 42]) {
        const check = checkProjection(fc, {
          projection: strict,
          events,
          checks,
          parameters: { seed },
        });
        await assert.rejects(settles(check, `checkProjection with seed ${seed}`), threw);
      }
    });
  }

  it("reports a page handler that throws on redelivery under the crash check alone", async () => {
    const strictPages = {
      init: strict.init,
      applyPage: (model: Seen, page: readonly { readonly id: string }[]) => {
        for (const m of page) strict.apply(model, m);
      },
      view: strict.view,
    };
    for (const seed of [1, 2, 3]) {
      const check = checkProjection(fc, {
        projection: strictPages,
        events,
        checks: { duplicates: false, interleavings: false },
        parameters: { seed },
      });
      await assert.rejects(settles(check, `checkProjection with seed ${seed}`), threw);
    }
  });
});

describe("checkProjection() of a projection whose call never settles", () => {
  it("passes a value through without a timer, and a promise that settles in time as it settles", async () => {
    assert.equal(settlesWithin(7, () => "apply", 1), 7);
    assert.equal(await settlesWithin(Promise.resolve(8), () => "apply", 1_000), 8);
    const boom = new Error("boom");
    await assert.rejects(
      settlesWithin(Promise.reject(boom), () => "apply", 1_000),
      (e) => e === boom,
    );
  });

  it("rejects a promise that has not settled by the deadline, naming the call", async () => {
    await assert.rejects(
      Promise.resolve(
        settlesWithin(
          new Promise(() => {}),
          () => "apply(OrderPlaced of order-1 at position 3)",
          20,
        ),
      ),
      (e: unknown) =>
        e instanceof ProjectionHung &&
        /^apply\(OrderPlaced of order-1 at position 3\) did not settle within 0\.02 s: /.test(
          e.message,
        ),
    );
  });

  it("fails after one deadline, naming the call and the message, with the case that hung unshrunk", async () => {
    let hangs = 0;
    const hanging = {
      init: (): Set<string> => new Set(),
      apply: (model: Set<string>, m: { readonly id: string; readonly data: unknown }) => {
        if ((m.data as { total: number }).total > 50) {
          hangs++;
          return new Promise<void>(() => {}); // an await on something nothing resolves
        }
        model.add(m.id);
        return Promise.resolve();
      },
      view: (model: Set<string>) => model.size,
    };
    const check = checkProjection(fc, { projection: hanging, events, parameters: { seed: 5 } });
    await assert.rejects(settles(check, "checkProjection of a hanging apply", 60_000), (error) => {
      assert.ok(error instanceof AssertionError, `expected ordo's AssertionError, got ${error}`);
      assert.match(
        error.message,
        /^checkProjection: the projection hung: apply\(OrderPlaced of order-[12] at position \d+\) did not settle within 10 s: /,
      );
      assert.match(error.message, /\n {2}it hung in one clean pass of the history/);
      assert.doesNotMatch(error.message, /what to change/);
      assert.match(
        error.message,
        /\n {2}history \(not shrunk: each try would wait for the deadline again, \d+ event\(s\)\):\n/,
      );
      assert.ok(error.cause instanceof ProjectionHung);
      return true;
    });
    // One wait: every run after the hang passes at once, so fast-check does not shrink through more.
    assert.equal(hangs, 1);
  });
});

describe("checkProjection() of a history the store refuses", () => {
  const counting = { init: () => ({ n: 0 }), apply: (model: { n: number }) => void model.n++ };

  it("says the arbitrary generated the event, shows it and the store's error, and never blames the projection", async () => {
    const noDash = fc.array(
      fc.record({
        streamName: fc.constantFrom("order", "order-2"),
        type: fc.constant("OrderPlaced"),
        data: fc.record({ total: fc.nat(100) }),
      }),
      { maxLength: 10 },
    );
    await assert.rejects(
      checkProjection(fc, { projection: counting, events: noDash, parameters: { seed: 42 } }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
        assert.equal(error.path, "options.events");
        assert.match(
          error.message,
          /^Invalid options\.events \(\w+\): it generated an event the store refuses, so no check ran\n {2}event 1 of the history: order OrderPlaced \{"total":0\}\n {2}the store said: ValidationError: Invalid streamName "order": expected "category-id", found no dash\n {2}change the arbitrary so that every event it generates is one the store accepts\n {2}history \(the shortest found, 1 event\(s\), after \d+ shrinks\):\n {4}1\. order OrderPlaced \{"total":0\}\n {2}replay with parameters: \{ seed: 42, path: "[\d:]*" \}$/,
        );
        assert.ok(error.cause instanceof ValidationError && error.cause.path === "streamName");
        return true;
      },
    );
  });

  it("shows an event whose data JSON cannot hold", async () => {
    const bigints = fc.array(
      fc.record({
        streamName: fc.constant("order-1"),
        type: fc.constant("OrderPlaced"),
        data: fc.record({ total: fc.bigInt() }),
      }),
      { minLength: 1, maxLength: 3 },
    );
    await assert.rejects(
      // The types refuse a bigint in data; a JavaScript caller's arbitrary does not.
      checkProjection(fc, { projection: counting, events: bigints as never }),
      (error: unknown) =>
        error instanceof ValidationError &&
        /\n {2}event 1 of the history: order-1 OrderPlaced \{"total":0n\}\n {2}the store said: ValidationError: Invalid messages\[0\]\.data\.total 0n: a bigint is not a JSON value\n/
          .test(error.message),
    );
  });
});

describe("checkProjection()'s report says what to change", () => {
  const failing = (projection: object, checks: object) =>
    checkProjection(fc, { projection, events, checks, parameters: { numRuns: 200 } } as never);
  // `change` is matched with the report's wrapped lines joined again.
  const saysToChange = (headline: RegExp, change: RegExp) => (error: unknown) => {
    assert.ok(error instanceof AssertionError, `expected ordo's AssertionError, got ${error}`);
    assert.match(error.message, headline);
    assert.match(error.message.replace(/\n {4}(?! )/g, " "), change);
    return true;
  };
  const counting = {
    init: () => new Map<string, number>(),
    apply: (counts: Map<string, number>, m: { readonly streamName: string }) =>
      void counts.set(m.streamName, (counts.get(m.streamName) ?? 0) + 1),
  };

  it("makes apply idempotent, after duplicated deliveries", async () => {
    await assert.rejects(
      failing(counting, { crashes: false, interleavings: false }),
      saysToChange(
        /^checkProjection: the read model after duplicated deliveries differs/,
        /\n {2}first difference at [^\n]*\n {2}what to change: make apply idempotent: a message delivered again must change nothing; remember the last stream version applied per stream, say, and skip a message whose version is not newer\n {2}history/,
      ),
    );
  });

  it("commits with the checkpoint or is idempotent, after crashes", async () => {
    await assert.rejects(
      failing(counting, { duplicates: false, interleavings: false }),
      saysToChange(
        /^checkProjection: the read model after crashes and restarts of a consumer differs/,
        /\n {2}what to change: a crash between the handler and its checkpoint delivers the message again: commit the read model and every other effect with the checkpoint \(through the handler's tx\), or make apply idempotent\n/,
      ),
    );
  });

  it("names checks: { interleavings: false } for one consumer in global order, after another interleaving", async () => {
    const lastGlobally = {
      init: () => ({ last: "" }),
      apply: (model: { last: string }, m: { readonly streamName: string }) =>
        void (model.last = m.streamName),
    };
    await assert.rejects(
      failing(lastGlobally, { duplicates: false, crashes: false }),
      saysToChange(
        /^checkProjection: the read model after another interleaving of streams differs/,
        /\n {2}what to change: keep the read model independent of the order of different streams' messages, which consumer groups and a category read across partitions change; a projection only ever run by one consumer reading in global order can leave this check out: checks: \{ interleavings: false \}\n/,
      ),
    );
  });

  it("makes applyPage agree with apply, after pages cut at random", async () => {
    const lastOfPage = {
      ...counting,
      applyPage: (counts: Map<string, number>, page: readonly { readonly streamName: string }[]) =>
        counting.apply(counts, page[page.length - 1]),
    };
    await assert.rejects(
      failing(lastOfPage, { duplicates: false, crashes: false, interleavings: false }),
      saysToChange(
        /^checkProjection: the read model after pages cut at random differs/,
        /\n {2}what to change: make applyPage give the read model apply gives one message at a time, whichever pages the messages come in\n/,
      ),
    );
  });

  it("names the check a projection threw under, or the clean pass", async () => {
    const refusing = {
      init: () => 0,
      apply: (_: number, m: { readonly data: { readonly total: number } }) => {
        if (m.data.total > 50) throw new RangeError("too much");
      },
    };
    await assert.rejects(
      failing(refusing, {}),
      saysToChange(
        /^checkProjection: the projection threw: RangeError: too much\n/,
        /\n {2}it threw in one clean pass of the history, each message once, in order\n {2}history/,
      ),
    );
  });
});

describe("checkProjection() refuses arguments it cannot use, saying what to write", () => {
  const idempotent = {
    init: () => new Set<string>(),
    apply: (seen: Set<string>, m: { readonly id: string }) => void seen.add(m.id),
  };
  const refused = (path: string, message: string) => (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.equal(error.path, path);
    assert.equal(error.message, message);
    return true;
  };

  it("names parameters for a fast-check parameter given as an option", async () => {
    await assert.rejects(
      checkProjection(fc, { projection: idempotent, events, numRuns: 5 } as never),
      refused(
        "options.numRuns",
        "Invalid options.numRuns 5: unknown option; did you mean parameters: { numRuns }?",
      ),
    );
    await assert.rejects(
      checkProjection(fc, { projection: idempotent, events, seed: 42 } as never),
      refused(
        "options.seed",
        "Invalid options.seed 42: unknown option; did you mean parameters: { seed }?",
      ),
    );
  });

  it("refuses a fast-check parameter in the wrong case, and lets other keys through", async () => {
    await assert.rejects(
      checkProjection(fc, { projection: idempotent, events, parameters: { numruns: 5 } as never }),
      refused(
        "options.parameters.numruns",
        'Invalid options.parameters.numruns 5: fast-check would ignore it; did you mean "numRuns"?',
      ),
    );
    // A parameter a later fast-check may add is no mistake.
    await checkProjection(fc, {
      projection: idempotent,
      events,
      parameters: { numRuns: 3, someLaterParameter: true } as never,
    });
  });

  it("asks for fast-check first when it is missing", async () => {
    const withoutFc = checkProjection as (options: unknown) => Promise<void>;
    await assert.rejects(
      withoutFc({ projection: idempotent, events }),
      refused(
        "fc",
        `Invalid fc (Object): expected fast-check's default export first (import fc from "fast-check"): checkProjection(fc, { projection, events })`,
      ),
    );
  });

  it("refuses a projection without init or apply, or events that are no arbitrary, before anything runs", async () => {
    let applied = 0;
    const count = () => void applied++;
    await assert.rejects(
      checkProjection(fc, { projection: { apply: count }, events } as never),
      refused(
        "options.projection.init",
        "Invalid options.projection.init (undefined): the projection needs init(), a function that returns a fresh, empty read model",
      ),
    );
    await assert.rejects(
      checkProjection(fc, { projection: { init: () => 0 }, events } as never),
      refused(
        "options.projection.apply",
        "Invalid options.projection.apply (undefined): the projection needs apply, applyPage or both",
      ),
    );
    await assert.rejects(
      checkProjection(fc, { projection: { init: () => 0, apply: count }, events: [] } as never),
      refused(
        "options.events",
        "Invalid options.events (an array of 0): expected a fast-check arbitrary of histories: fc.array(fc.record({ streamName, type, data }))",
      ),
    );
    assert.equal(applied, 0);
  });
});
