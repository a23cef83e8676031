// Given / when / then specifications from ordo/testing: deciderSpec and
// projectionSpec pass when the expectation holds and otherwise throw ordo's
// AssertionError, whose message alone says what differed. The module imports
// no test runner, so the same specs run under node:test, Deno.test and bun test.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import type { OrderEvent } from "../../examples/order_events.ts";
import { orderTotals } from "../../examples/order_totals_projection.ts";
import { type Decider, ValidationError } from "../../mod.ts";
import {
  AssertionError,
  deciderSpec,
  type HistoryEventOf,
  projectionSpec,
} from "../../testing/mod.ts";
import { ROOT } from "../_paths.ts";
import { settles } from "../_until.ts";

type CartEvent =
  | { type: "ItemAdded"; data: { sku: string; count: number } }
  | { type: "CartCheckedOut"; data: { items: number } };
type CartCommand = { add: string } | { checkout: true };

class CartClosedError extends Error {}

const cart: Decider<CartCommand, { items: number; open: boolean }, CartEvent> = {
  initialState: () => ({ items: 0, open: true }),
  evolve: (state, message) =>
    message.type === "ItemAdded"
      ? { ...state, items: state.items + message.data.count }
      : { ...state, open: false },
  decide: (command, state) => {
    if (!state.open) throw new CartClosedError("The cart is checked out");
    if ("add" in command) return { type: "ItemAdded", data: { sku: command.add, count: 1 } };
    return state.items === 0 ? [] : [{ type: "CartCheckedOut", data: { items: state.items } }];
  },
};
const spec = deciderSpec(cart);
const added = (sku: string): CartEvent => ({ type: "ItemAdded", data: { sku, count: 1 } });

describe("deciderSpec()", () => {
  it("passes when the decided messages, the refusal or the state are as expected", () => {
    spec.given([]).when({ add: "apple" }).then([added("apple")]);
    spec.given([added("apple")]).when({ add: "pear" }).then(added("pear"));
    spec.given([]).when({ checkout: true }).then([]);
    spec.given([added("apple"), added("pear")]).when({ checkout: true }).then([
      { type: "CartCheckedOut", data: { items: 2 } },
    ]);
    const closed: CartEvent[] = [added("apple"), { type: "CartCheckedOut", data: { items: 1 } }];
    spec.given(closed).when({ add: "pear" }).thenThrows(CartClosedError);
    spec.given(closed).when({ add: "pear" }).thenThrows(/checked out/);
    spec.given(closed).when({ add: "pear" }).thenThrows((e) => e instanceof Error);
    spec.given(closed).when({ add: "pear" }).thenThrows();
    spec.given([added("apple")]).when({ add: "fig" }).thenState({ items: 2, open: true });
  });

  it("refuses a decider that lacks one of its functions at once, before a .thenThrows() could pass on its TypeError", () => {
    const misspelt = { initialState: cart.initialState, evolve: cart.evolve, decied: cart.decide };
    for (
      const [decider, path] of [
        [misspelt, "decider.decide"],
        [{ ...cart, evolve: undefined }, "decider.evolve"],
        [undefined, "decider"],
      ] as const
    ) {
      assert.throws(
        () => deciderSpec(decider as never).given([]).when({ add: "apple" }).thenThrows(),
        (error: unknown) => error instanceof ValidationError && error.path === path,
      );
    }
  });

  it("throws an AssertionError naming the first difference, with a diff, when the messages differ", () => {
    assert.throws(
      () =>
        spec.given([added("apple")]).when({ checkout: true }).then([
          { type: "CartCheckedOut", data: { items: 3 } },
        ]),
      (error: unknown) => {
        assert.ok(error instanceof AssertionError);
        assert.equal(
          error.message,
          [
            "The decided messages differ from the expected ones",
            '  first difference at [0]["data"]["items"]: expected 3, got 1',
            "  - expected",
            "  + actual",
            "    [",
            "      {",
            '        "data": {',
            '  -       "items": 3,',
            '  +       "items": 1,',
            "        },",
            '        "type": "CartCheckedOut",',
            "      },",
            "    ]",
          ].join("\n"),
        );
        return true;
      },
    );
  });

  it("throws when decide does not throw, or throws something else", () => {
    assert.throws(
      () => spec.given([]).when({ add: "apple" }).thenThrows(CartClosedError),
      (error: unknown) =>
        error instanceof AssertionError &&
        /^decide did not throw; it decided \[\{"data":\{"count":1,"sku":"apple"\},"type":"ItemAdded"\}\]$/
          .test(error.message),
    );
    const closed: CartEvent[] = [{ type: "CartCheckedOut", data: { items: 0 } }];
    // The failure says what was expected, not only what was thrown.
    assert.throws(
      () => spec.given(closed).when({ add: "pear" }).thenThrows(RangeError),
      (error: unknown) =>
        error instanceof AssertionError && /; expected a RangeError$/.test(error.message),
    );
    assert.throws(
      () => spec.given(closed).when({ add: "pear" }).thenThrows(/sold out/),
      (error: unknown) =>
        error instanceof AssertionError &&
        /; expected a message matching \/sold out\/$/.test(error.message),
    );
    assert.throws(
      () => spec.given([]).when({ add: "fig" }).thenState({ items: 2, open: true }),
      /first difference at \["items"\]: expected 2, got 1/,
    );
  });
});

describe("projectionSpec()", () => {
  const totals = projectionSpec(orderTotals);
  const placed = (order: string, total: number): HistoryEventOf<OrderEvent> => ({
    streamName: `order-${order}`,
    type: "OrderPlaced",
    data: { total },
  });

  it("passes when the view after the events is as expected", async () => {
    await totals.given([placed("1", 30), placed("2", 12)]).then(new Map([["1", 30], ["2", 12]]));
    await totals.given([placed("1", 30)])
      .when([{ streamName: "order-1", type: "ItemAdded", data: { price: 5 } }, placed("3", 7)])
      .then(new Map([["3", 7], ["1", 35]]));
  });

  it("rejects with an AssertionError naming the differing entry", async () => {
    const shipped: OrderEvent = { type: "OrderShipped", data: {} };
    await assert.rejects(
      totals.given([placed("1", 30)]).when([{ streamName: "order-1", ...shipped }]).then(
        new Map([["1", 30]]),
      ),
      (error: unknown) =>
        error instanceof AssertionError &&
        /^The projection's view differs\n {2}first difference at Map\["1"\]: expected 30, got \(no entry\)\n/
          .test(error.message),
    );
  });

  it("rejects, rather than hang, when given(...) or when(...) is awaited without .then(view)", async () => {
    // What Bun or --no-check let through: `await` calls then(resolve, reject).
    const awaited = async (thenable: unknown) => await thenable;
    const itemAdded = { streamName: "order-1", type: "ItemAdded" as const, data: { price: 5 } };
    await assert.rejects(
      settles(awaited(totals.given([placed("1", 30)]).when([itemAdded])), "the await"),
      (error: unknown) =>
        error instanceof AssertionError &&
        error.message ===
          "when(...) was awaited without .then(view): write await spec.given(...).when(...).then(expectedView)",
    );
    await assert.rejects(
      settles(awaited(totals.given([placed("1", 30)])), "the await"),
      (error: unknown) =>
        error instanceof AssertionError &&
        error.message ===
          "given(...) was awaited without .then(view): write await spec.given(...).then(expectedView)",
    );
  });
});

describe("projectionSpec() of a projection it cannot run", () => {
  it("refuses it at once, naming the function and what it is for", () => {
    const apply = () => {};
    const cases: [unknown, string, RegExp][] = [
      [{ apply }, "projection.init", /needs init\(\)/],
      [{ init: () => 0, aply: apply }, "projection.apply", /needs apply, applyPage or both/],
      [{ init: () => 0, apply: "sum" }, "projection.apply", /function/],
      [{ init: () => 0, apply, view: 3 }, "projection.view", /function/],
      [null, "projection", /expected \{ init, apply, view\? \}/],
    ];
    for (const [projection, path, reason] of cases) {
      assert.throws(
        () => projectionSpec(projection as never),
        (e: unknown) => e instanceof ValidationError && e.path === path && reason.test(e.reason),
        `${path}: ${JSON.stringify(projection)}`,
      );
    }
  });

  it("runs a projection with only a page handler, the events as one page", async () => {
    const pages: number[] = [];
    const counted = {
      init: () => ({ count: 0 }),
      applyPage: (model: { count: number }, messages: readonly unknown[]) => {
        pages.push(messages.length);
        model.count += messages.length;
      },
    };
    const one = { streamName: "order-1", type: "OrderPlaced", data: { total: 1 } };
    await projectionSpec(counted).given([one, one]).when([one]).then({ count: 3 });
    await projectionSpec(counted).given([]).then({ count: 0 });
    assert.deepEqual(pages, [3]);
  });
});

describe("ordo/testing", () => {
  it("imports no test runner and nothing runtime-specific", async () => {
    for (const file of await readdir(`${ROOT}testing`)) {
      const code = (await readFile(`${ROOT}testing/${file}`, "utf8")).split("\n")
        .filter((l) => !/^\s*(\/\/|\/\*\*|\*)/.test(l)).join("\n");
      assert.doesNotMatch(code, /from "(node:|bun:|jsr:|npm:)/, file);
      assert.doesNotMatch(code, /\bDeno\.|\bBun\./, file);
    }
  });
});
