/**
 * Tables for people: columns padded to their widest cell, a header, cells
 * cut to a width so that a long error message does not wrap every row.
 *
 * @module
 */

/** Longest cell shown, in characters; longer ones end with `…`. */
const MAX_CELL = 60;

/** Renders rows under headers, one line each, with a trailing newline. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cut = (cell: string) =>
    [...cell].length > MAX_CELL ? [...cell].slice(0, MAX_CELL - 1).join("") + "…" : cell;
  const all = [headers, ...rows].map((row) =>
    row.map((cell) => cut(cell.replace(/[\r\n\t]+/g, " ")))
  );
  const widths = headers.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? "")].length)));
  return all.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ").trimEnd()
  ).join("\n") + "\n";
}

/**
 * A number of milliseconds since the epoch, or an ISO text, as a short UTC
 * time marked so (`2026-01-02 03:04:05Z`): unmarked, it reads as local time.
 * `Z` rather than ` UTC` keeps a time one word wider, not two, for scripts that split lines.
 */
export function shortTime(value: number | string | undefined): string {
  if (value === undefined) return "-";
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? String(value)
    : date.toISOString().replace("T", " ").slice(0, 19) + "Z";
}
