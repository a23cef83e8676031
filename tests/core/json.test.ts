import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { copyJson, ValidationError } from "../../core/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

describe("copyJson()", () => {
  it("copies any JSON value to an equal value that reads back the same through JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { value: copy } = copyJson(value, "data");
        // -0 is the one JSON value that does not survive a round trip; the copy keeps it as given.
        assert.deepEqual(JSON.parse(JSON.stringify(copy)), JSON.parse(JSON.stringify(value)));
        assert.deepEqual(copy, value);
      }),
      propertyParameters(200),
    );
  });

  it("measures a size close to the JSON text's length", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { size } = copyJson(value, "data");
        const text = JSON.stringify(value).length;
        // Numbers count as 8 characters whatever their digits and escapes are not counted;
        // everything else is counted exactly or over.
        const { numbers, escapes } = tally(value);
        assert.ok(size >= text - 24 * numbers - escapes, `size ${size} for ${text} characters`);
        assert.ok(size <= 3 * text + 16, `size ${size} for ${text} characters`);
      }),
      propertyParameters(200),
    );
  });

  it("returns frozen copies that share nothing with the input", () => {
    const input = { list: [{ a: 1 }], nested: { b: "x" } };
    const value = copyJson(input, "data").value as unknown as typeof input;
    assert.notEqual(value, input);
    assert.notEqual(value.list, input.list);
    assert.ok(
      Object.isFrozen(value) && Object.isFrozen(value.list) && Object.isFrozen(value.list[0]),
    );
  });

  it("omits undefined properties as JSON does", () => {
    assert.deepEqual(copyJson({ a: 1, b: undefined }, "data").value, { a: 1 });
  });

  it("accepts the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    assert.deepEqual(copyJson({ a: shared, b: shared }, "data").value, {
      a: { x: 1 },
      b: { x: 1 },
    });
  });

  it("accepts objects without a prototype", () => {
    const bare = Object.assign(Object.create(null), { a: 1 });
    assert.deepEqual({ ...copyJson(bare, "data").value as object }, { a: 1 });
  });

  it("names the path of the first value it refuses", () => {
    assert.throws(
      () => copyJson({ items: [{ ok: 1 }, { price: 2n }] }, "data"),
      (error) =>
        error instanceof ValidationError && error.path === "data.items[1].price" &&
        error.value === 2n,
    );
  });

  it("names the class of an object that is not plain, and says what to pass instead", () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return { cents: this.cents };
      }
    }
    const refusal = (value: unknown) => {
      try {
        copyJson({ value }, "data");
      } catch (error) {
        return (error as ValidationError).reason;
      }
      assert.fail("expected a refusal");
    };
    assert.equal(
      refusal(new Money(5)),
      "a Money is not a plain object; its toJSON() is not called here: pass value.toJSON() instead",
    );
    assert.match(
      refusal(new Date(0)),
      /^a Date is not a plain object; convert it to JSON first \(a Date to an ISO string/,
    );
    assert.match(refusal(new Map()), /^a Map is not a plain object; convert it to JSON first/);
  });
});

// Numbers in a value, and the characters JSON adds to escape its strings (keys included).
function tally(value: unknown): { numbers: number; escapes: number } {
  const escapes = (s: string) => JSON.stringify(s).length - s.length - 2;
  if (typeof value === "number") return { numbers: 1, escapes: 0 };
  if (typeof value === "string") return { numbers: 0, escapes: escapes(value) };
  if (value === null || typeof value !== "object") return { numbers: 0, escapes: 0 };
  let numbers = 0;
  let escaped = 0;
  for (const [key, item] of Object.entries(value)) {
    const inner = tally(item);
    numbers += inner.numbers;
    escaped += inner.escapes + (Array.isArray(value) ? 0 : escapes(key));
  }
  return { numbers, escapes: escaped };
}

describe("copyJson() after a failure", () => {
  it("refuses nesting deeper than MAX_JSON_DEPTH, then copies normally again", () => {
    let deep: unknown = {};
    for (let i = 0; i < 300; i++) deep = { d: deep };
    assert.throws(
      () => copyJson(deep, "data"),
      (error) => error instanceof ValidationError && /nested deeper than 256/.test(error.message),
    );
    const shared = { x: 1 };
    assert.deepEqual(copyJson([shared, shared], "data").value, [{ x: 1 }, { x: 1 }]);
  });

  it("recovers from a getter that throws", () => {
    const hostile = {
      a: {
        get b(): number {
          throw new Error("boom");
        },
      },
    };
    assert.throws(() => copyJson(hostile, "data"), /boom/);
    const reused = { b: 1 };
    assert.deepEqual(copyJson({ a: reused, c: [reused] }, "data").value, {
      a: { b: 1 },
      c: [{ b: 1 }],
    });
    assert.throws(
      () => copyJson({ a: 1n }, "data"),
      (error) => error instanceof ValidationError && error.path === "data.a",
    );
  });
});

describe("copyJson() and __proto__", () => {
  it("keeps a __proto__ property as data and never changes the copy's prototype", () => {
    const input = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}');
    const { value } = copyJson(input, "data");
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(
      (value as { admin?: boolean }).admin,
      undefined,
      "nothing inherited from the data",
    );
    assert.deepEqual(Object.keys(value as object), ["__proto__", "name"]);
    assert.equal(JSON.stringify(value), '{"__proto__":{"admin":true},"name":"x"}');
  });
});

describe("copyJson() paths", () => {
  // A JSON value with one bad value put somewhere inside it, and the path to that place.
  const planted = fc.tuple(fc.jsonValue(), fc.array(fc.nat()), fc.constantFrom(1n, Number.NaN))
    .map(([value, choices, bad]) => plant(value, choices, bad));

  it("names the exact path of a bad value wherever it sits", () => {
    fc.assert(
      fc.property(planted, ({ value, path, bad }) => {
        assert.throws(
          () => copyJson(value, "data"),
          (error) => {
            assert.ok(error instanceof ValidationError);
            assert.equal(error.path, path);
            assert.equal(error.value, bad);
            return true;
          },
        );
      }),
      propertyParameters(300),
    );
  });

  it("names the first place a cycle closes, however deep", () => {
    const a: Record<string, unknown> = { x: 1 };
    const b: Record<string, unknown> = { list: [0, a] };
    a.b = b;
    assert.throws(
      () => copyJson({ ok: { y: 2 }, a }, "data"),
      (error) =>
        error instanceof ValidationError && error.path === "data.a.b.list[1]" &&
        /cycle/.test(error.message),
    );
  });

  it("keeps its own size and path when a getter starts another copy", () => {
    let inner: { size: number } | undefined;
    const hostile = {
      get nested() {
        inner = copyJson({ text: "abcdefghij" }, "inner");
        return { b: 2n };
      },
      after: "x".repeat(100),
    };
    assert.throws(
      () => copyJson({ a: "y".repeat(50), hostile }, "data"),
      (error) => error instanceof ValidationError && error.path === "data.hostile.nested.b",
    );
    assert.equal(inner?.size, copyJson({ text: "abcdefghij" }, "inner").size);
    const outer = {
      a: "y".repeat(50),
      get n() {
        copyJson({ text: "z".repeat(500) }, "inner");
        return 1;
      },
    };
    assert.equal(copyJson(outer, "data").size, copyJson({ a: "y".repeat(50), n: 1 }, "data").size);
  });
});

// Puts `bad` at a place in `value` chosen by `choices` (a new property of an
// object, or an extra item of an array) and returns the result and its path.
function plant(
  value: unknown,
  choices: readonly number[],
  bad: unknown,
): { value: unknown; path: string; bad: unknown } {
  const [choice, ...rest] = choices;
  if (Array.isArray(value)) {
    if (choice !== undefined && value.length > 0) {
      const at = choice % value.length;
      const inner = plant(value[at], rest, bad);
      const copy = [...value];
      copy[at] = inner.value;
      return { value: copy, path: `data[${at}]${inner.path.slice(4)}`, bad };
    }
    return { value: [...value, bad], path: `data[${value.length}]`, bad };
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (choice !== undefined && keys.length > 0) {
      const key = keys[choice % keys.length];
      const inner = plant((value as Record<string, unknown>)[key], rest, bad);
      // defineProperty, so that a "__proto__" key stays an own property.
      const copy = { ...value };
      Object.defineProperty(copy, key, { value: inner.value, enumerable: true, writable: true });
      return { value: copy, path: `data.${key}${inner.path.slice(4)}`, bad };
    }
    return { value: { ...value, "bad key": bad }, path: "data.bad key", bad };
  }
  return { value: bad, path: "data", bad };
}
