import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { copyJson, ValidationError } from "../../mod.ts";
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
