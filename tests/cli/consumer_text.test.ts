// How `ordo consumers` and `ordo status` print a lag: past the 10,000 cap
// the count says little, so the age of the oldest message still to handle
// is printed beside it when the view has it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ageText, lagText } from "../../cli/_consumer_text.ts";

const NOW = Date.parse("2026-12-07T12:00:00Z");

describe("lagText", () => {
  it("prints a count below the cap as it is, and ? when unknown", () => {
    assert.equal(lagText({ lag: 12, lagCapped: false }, NOW), "12");
    assert.equal(lagText({ lagCapped: false }, NOW), "?");
    assert.equal(
      lagText({ lag: 12, lagCapped: false, oldestUnhandledAt: "2026-12-07T11:00:00Z" }, NOW),
      "12",
    );
  });

  it("past the cap, adds the age of the oldest message still to handle", () => {
    assert.equal(
      lagText(
        { lag: 10_000, lagCapped: true, oldestUnhandledAt: "2026-12-07T09:45:30.000Z" },
        NOW,
      ),
      "10000+ (oldest 2 h 14 min ago)",
    );
    assert.equal(lagText({ lag: 10_000, lagCapped: true }, NOW), "10000+");
    assert.equal(
      lagText({ lag: 10_000, lagCapped: true, oldestUnhandledAt: "not a time" }, NOW),
      "10000+",
    );
  });

  it("reads durations to the second, then minutes, then hours", () => {
    assert.equal(ageText(0), "0 s");
    assert.equal(ageText(59_400), "59 s");
    assert.equal(ageText(61_000), "1 min 1 s");
    assert.equal(ageText(3_600_000 * 26 + 60_000 * 5), "26 h 5 min");
    assert.equal(ageText(-5_000), "0 s", "a clock behind the store's is not a negative age");
  });
});
