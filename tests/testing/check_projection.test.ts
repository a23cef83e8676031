// What checkProjection says when something other than a read model goes wrong:
// a projection that throws, under every check, the crash check included, which
// must report it at once rather than retry it; a history the store refuses,
// which is the arbitrary's fault, not the projection's.
// tests/consumers/check_projection.test.ts checks its power on the examples.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ValidationError } from "../../mod.ts";
import { AssertionError, checkProjection } from "../../testing/mod.ts";
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
      /^checkProjection: the projection threw: Error: already applied\n {2}history \(the shortest found, \d+ event\(s\), after \d+ shrinks\):\n {4}1\. order-/,
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
