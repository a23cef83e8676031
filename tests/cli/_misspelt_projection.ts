// A projection module with two keys `ordo rebuild` does not know: a misspelt
// handler, and a retry policy it would otherwise ignore without a word.
// tests/cli/cli_consumers.test.ts checks that both are refused by name.

/** `handlr` for `handler`. */
export const projection = {
  group: "misspelt",
  source: { category: "order" },
  handlr: () => {},
};
