/**
 * How a consumer group's figures read in a table.
 *
 * @module
 */

/**
 * The note under a table with a group whose source is unknown (`?`): no
 * consumer of it has announced what it reads, as after `ordo rebuild` alone.
 * A bare "?" read as a fault.
 */
export const UNKNOWN_SOURCE =
  "? : no consumer of the group has run yet; what a group reads, and so " +
  "its lag, comes from its running consumers (ordo rebuild does not say)\n";

/**
 * A lag as people read it: `12`, `?` when unknown, and past its cap
 * `10000+`, with how long ago the oldest message still to handle was written
 * when that is known (`10000+ (oldest 2 h 14 min ago)`): past the cap the
 * count no longer says how far behind a group is, its age does.
 */
export function lagText(
  view: { readonly lag?: number; readonly lagCapped: boolean; readonly oldestUnhandledAt?: string },
  now: number = Date.now(),
): string {
  if (view.lag === undefined) return "?";
  if (!view.lagCapped) return String(view.lag);
  const written = view.oldestUnhandledAt === undefined ? NaN : Date.parse(view.oldestUnhandledAt);
  return Number.isNaN(written)
    ? `${view.lag}+`
    : `${view.lag}+ (oldest ${ageText(now - written)} ago)`;
}

/** A duration to the second below a minute, then minutes, then hours and minutes. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
