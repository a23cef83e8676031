// Canonical JSON, the way a reused command id's content is compared: keys in
// sorted order, JSON's own rules otherwise.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalJson, sameContent, ValidationError } from "../../core/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

/** The same value with every object's keys in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
}

describe("canonical JSON", () => {
  it("sorts keys and otherwise follows JSON.stringify", () => {
    assert.equal(
      canonicalJson({ b: 1, a: [true, undefined, () => {}], c: undefined }),
      '{"a":[true,null,null],"b":1}',
    );
    assert.equal(
      canonicalJson({ at: new Date(0), n: NaN }),
      '{"at":"1970-01-01T00:00:00.000Z","n":null}',
    );
    assert.equal(canonicalJson(undefined), "null");
    assert.throws(() => canonicalJson({ total: 10n }), ValidationError);
  });

  it("sameContent() compares bigints by value and treats a cycle as equal only to itself", () => {
    assert.equal(sameContent({ total: 10n }, { total: 10n }), true);
    assert.equal(sameContent({ total: 10n }, { total: 11n }), false);
    assert.equal(sameContent({ total: 10n }, { total: "10n" }), false);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(sameContent(cyclic, cyclic), true);
    assert.equal(sameContent(cyclic, { self: {} }), false);
  });

  it("property: JSON values with their keys reordered have the same canonical text; parsing it gives the value back", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        assert.equal(canonicalJson(reordered(value)), text);
        assert.equal(sameContent(value, reordered(value)), true);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
      }),
      propertyParameters(300),
    );
  });

  it("property: sameContent() agrees with comparing canonical texts", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        assert.equal(sameContent(a, b), canonicalJson(a) === canonicalJson(b));
      }),
      propertyParameters(300),
    );
  });
});
