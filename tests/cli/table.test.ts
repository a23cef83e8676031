// The command line's tables: a cell longer than 60 characters is cut with
// `…`, and a table that cut one says so once below it, with where the whole
// value is: a cut stream name cannot be pasted into `ordo read`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderTable } from "../../cli/_table.ts";

const LONG = "invoice-" + "0b9c1d2e3f404a5b8c6d7e8f90a1b2c3".repeat(3);

describe("renderTable()", () => {
  it("pads columns and says nothing more when no cell is cut", () => {
    assert.equal(
      renderTable(["STREAM", "TYPE"], [["order-1", "OrderPlaced"], ["user-7", "UserJoined"]]),
      "STREAM   TYPE\norder-1  OrderPlaced\nuser-7   UserJoined\n",
    );
  });

  it("cuts a cell to 60 characters and says once below the table where it is whole", () => {
    const text = renderTable(["STREAM", "TYPE"], [[LONG, "InvoiceDrafted"], [LONG + "-2", "X"]]);
    const lines = text.split("\n");
    assert.equal(lines[1], `${LONG.slice(0, 59)}…  InvoiceDrafted`);
    assert.equal([...lines[1].split("  ")[0]].length, 60);
    assert.equal(lines[3], "A value ending in … is cut to 60 characters: --json shows it whole");
    assert.equal(lines.length, 5, "said once, however many cells were cut");
  });

  it("names the command a caller gives for the whole value", () => {
    const text = renderTable(["STREAM"], [[LONG]], { whole: "ordo streams --json shows it" });
    assert.match(
      text,
      /^A value ending in … is cut to 60 characters: ordo streams --json shows it$/m,
    );
  });
});
