// The trace id the shop's services print beside what they did
// (ORDO_TRACES=stdout: "… [trace <32 hex>]"), read back from their output.
import assert from "node:assert/strict";

/** The one trace id of the lines that contain `marker`; fails unless there is exactly one. */
export function traceOf(lines: readonly string[], marker: string): string {
  const ids = new Set(
    lines.filter((line) => line.includes(marker)).map((line) =>
      /\[trace ([0-9a-f]{32})\]/.exec(line)?.[1]
    ),
  );
  assert.equal(ids.size, 1, `one trace id in the lines with "${marker}": ${[...ids]}`);
  return [...ids][0]!;
}
