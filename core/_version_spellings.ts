// The expected versions other event stores spell differently, so that a
// refusal of one names ordo's spelling instead of only listing the valid
// values: people who come from EventStoreDB, Emmett or Message DB write what
// their hands know, and the constants they import are these strings and
// numbers at run time.

const SPELLINGS: ReadonlyMap<unknown, { readonly ordo: string; readonly from: string }> = new Map<
  unknown,
  { readonly ordo: string; readonly from: string }
>([
  // EventStoreDB's and KurrentDB's clients (NO_STREAM, STREAM_EXISTS, ANY).
  ["no_stream", { ordo: '"no-stream"', from: "EventStoreDB's NO_STREAM" }],
  ["stream_exists", { ordo: '"exists"', from: "EventStoreDB's STREAM_EXISTS" }],
  // Emmett's expectedStreamVersion constants.
  ["STREAM_DOES_NOT_EXIST", { ordo: '"no-stream"', from: "Emmett's STREAM_DOES_NOT_EXIST" }],
  ["STREAM_EXISTS", { ordo: '"exists"', from: "Emmett's STREAM_EXISTS" }],
  ["NO_CONCURRENCY_CHECK", { ordo: '"any"', from: "Emmett's NO_CONCURRENCY_CHECK" }],
  // Message DB's and EventStoreDB's older numeric ones.
  [-1, { ordo: '"no-stream"', from: "-1 (Message DB's and EventStoreDB's no stream)" }],
  [-2, { ordo: '"any"', from: "-2 (EventStoreDB's ExpectedVersion.Any)" }],
  [-4, { ordo: '"exists"', from: "-4 (EventStoreDB's ExpectedVersion.StreamExists)" }],
]);

/**
 * How to write `expected` in ordo, when it is another store's spelling of an
 * expected version (`"no_stream"`, `-1`, …); `undefined` otherwise.
 *
 * @example
 * ```ts
 * import { versionSpellingHint } from "./_version_spellings.ts";
 * versionSpellingHint("no_stream"); // 'ordo writes EventStoreDB\'s NO_STREAM as "no-stream"'
 * ```
 */
export function versionSpellingHint(expected: unknown): string | undefined {
  const spelling = SPELLINGS.get(expected);
  return spelling === undefined ? undefined : `ordo writes ${spelling.from} as ${spelling.ordo}`;
}
