// The HTTP wire's JSON: bigints (positions) as decimal strings, everything
// else as JSON.stringify writes it, whichever of its two passes runs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toJson } from "../../transports/http/wire/mod.ts";

describe("toJson()", () => {
  it("writes bigints as decimal strings, at any depth", () => {
    assert.equal(
      toJson({ globalPosition: 12345678901234567890n, positions: [1n, 2n], name: "a" }),
      '{"globalPosition":"12345678901234567890","positions":["1","2"],"name":"a"}',
    );
  });

  it("writes a value without bigints as JSON.stringify does, and undefined as null", () => {
    const value = { total: 42.5, lines: [{ sku: "abc-1" }], note: undefined };
    assert.equal(toJson(value), JSON.stringify(value));
    assert.equal(toJson(undefined), "null");
  });

  it("still refuses a cycle with JSON.stringify's TypeError", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(() => toJson(cycle), TypeError);
  });
});
