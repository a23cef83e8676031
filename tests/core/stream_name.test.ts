import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { categoryOf, parseStreamName, streamName, ValidationError } from "../../mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

const category = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.:]{0,20}$/);
const id = fc.stringMatching(/^[A-Za-z0-9\-+_.:@]{1,40}$/);

describe("parseStreamName()", () => {
  it("splits at the first dash, keeping dashes in the id", () => {
    assert.deepEqual(parseStreamName("order-5f1c-4d2e"), { category: "order", id: "5f1c-4d2e" });
    assert.deepEqual(parseStreamName("account:command-1"), {
      category: "account:command",
      id: "1",
    });
  });

  it("round-trips any category and id through streamName()", () => {
    fc.assert(
      fc.property(category, id, (c, i) => {
        const name = streamName(c, i);
        assert.deepEqual(parseStreamName(name), { category: c, id: i });
        assert.equal(categoryOf(name), c);
      }),
      propertyParameters(300),
    );
  });

  it("refuses whitespace and control characters anywhere", () => {
    fc.assert(
      fc.property(
        category,
        id,
        fc.constantFrom(" ", "\t", "\n", "\u0000", "\u007f"),
        fc.nat(),
        (c, i, bad, at) => {
          const name = `${c}-${i}`;
          const where = 1 + (at % name.length);
          const broken = name.slice(0, where) + bad + name.slice(where);
          assert.throws(() => parseStreamName(broken), ValidationError);
        },
      ),
      propertyParameters(300),
    );
  });

  it("says what is wrong in the error message", () => {
    assert.throws(() => parseStreamName("order"), {
      message: 'Invalid streamName "order": expected "category-id", found no dash',
    });
    assert.throws(() => parseStreamName("order-"), {
      message:
        'Invalid streamName "order-": expected "category-id", the id after the dash is empty',
    });
    assert.throws(
      () => parseStreamName("1order-2"),
      /category "1order" must start with a letter or _/,
    );
  });
});
