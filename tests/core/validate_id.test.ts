import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { validateId, ValidationError } from "../../core/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

// The reference the character-table check must agree with.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function reference(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

function attempt(id: unknown): string | undefined {
  try {
    return validateId(id);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.path, "id");
    return undefined;
  }
}

// A UUID in any mix of cases.
const anyCaseUuid = fc.tuple(fc.uuid(), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }))
  .map(([id, upper]) => [...id].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));

// Characters that sit next to the valid ranges, and some far from them.
const nearMiss = fc.constantFrom(
  "/",
  ":",
  "@",
  "G",
  "`",
  "g",
  "-",
  " ",
  "\u0000",
  "\u0130",
  "\uff10",
  "\ud800",
  "0",
  "a",
  "F",
);

describe("validateId()", () => {
  it("accepts every UUID in any case and returns it lowercased", () => {
    fc.assert(
      fc.property(anyCaseUuid, (id) => {
        assert.equal(attempt(id), id.toLowerCase());
      }),
      propertyParameters(500),
    );
  });

  it("returns a lowercase UUID as the same string", () => {
    const id = crypto.randomUUID();
    assert.equal(validateId(id), id);
  });

  it("agrees with a regular expression when one character anywhere is replaced", () => {
    fc.assert(
      fc.property(anyCaseUuid, fc.nat(35), nearMiss, (id, at, c) => {
        const changed = id.slice(0, at) + c + id.slice(at + 1);
        assert.equal(attempt(changed), reference(changed), JSON.stringify(changed));
      }),
      propertyParameters(2000),
    );
  });

  it("agrees with a regular expression on strings of any length and content", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 30, maxLength: 40 }),
          fc.stringMatching(/^[0-9a-fA-F-]{36}$/),
        ),
        (text) => assert.equal(attempt(text), reference(text), JSON.stringify(text)),
      ),
      propertyParameters(1000),
    );
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 42, {}, ["7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a"]]) {
      assert.equal(attempt(value), undefined);
    }
  });
});
