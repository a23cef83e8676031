// A projection module with a `retry` policy, which `ordo rebuild` does not
// take: tests/cli/cli_consumers.test.ts checks that it is refused by name
// rather than ignored (the rebuild would retry five times, not once).

/** Asks for one attempt per message. */
export const projection = {
  group: "retry-once",
  source: { category: "order" },
  handler: () => {},
  retry: { maxAttempts: 1 },
};
