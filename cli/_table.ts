/**
 * Tables for people: columns padded to their widest cell, a header, cells
 * cut to a width so that a long error message does not wrap every row. A
 * table with a cut cell says so once below it, and where the whole value is.
 *
 * @module
 */

/** Longest cell shown, in characters; longer ones end with `…`. */
const MAX_CELL = 60;

/** Options of {@link renderTable}. */
export interface RenderTableOptions {
  /** Where a cut value is shown whole, said below a table with one. Default: `--json`. */
  readonly whole?: string;
}

/**
 * Renders rows under headers, one line each, with a trailing newline. A cut
 * value cannot be pasted into the next command (a stream name into `ordo
 * read`), so a table that cut one ends with a line saying where it is whole.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: RenderTableOptions = {},
): string {
  let cutAny = false;
  const cut = (cell: string) => {
    if ([...cell].length <= MAX_CELL) return cell;
    cutAny = true;
    return [...cell].slice(0, MAX_CELL - 1).join("") + "…";
  };
  const all = [headers, ...rows].map((row) =>
    row.map((cell) => cut(cell.replace(/[\r\n\t]+/g, " ")))
  );
  const widths = headers.map((_, i) => Math.max(...all.map((row) => [...(row[i] ?? "")].length)));
  const table =
    all.map((row) =>
      row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
        .trimEnd()
    ).join("\n") + "\n";
  if (!cutAny) return table;
  return `${table}A value ending in … is cut to ${MAX_CELL} characters: ${
    options.whole ?? "--json shows it whole"
  }\n`;
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
