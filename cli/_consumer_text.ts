/**
 * How a consumer group's figures read in a table.
 *
 * @module
 */

/** A lag as people read it: `12`, `10000+` past its cap, `?` when unknown. */
export function lagText(view: { readonly lag?: number; readonly lagCapped: boolean }): string {
  if (view.lag === undefined) return "?";
  return `${view.lag}${view.lagCapped ? "+" : ""}`;
}
