/**
 * ordo's bigint global position from EventStoreDB's `$all` position, and back.
 *
 * EventStoreDB places each event at a `{ commit, prepare }` pair of log
 * positions (byte offsets in its transaction log). An event written through
 * the gRPC API is committed by its own prepare record, so both numbers equal
 * that record's offset `L`, and `$all` is ordered by `L`. ordo's position is
 * `2L + 1`:
 *
 * - strictly increasing in `$all` order, since `L` is, and never `0n`;
 * - odd for every event, so the even number after it, `2L + 2` (what a reader
 *   asks for to continue after a checkpoint: "from `p + 1n`"), still names `L`.
 *   A read from it starts at `L`, a real record, and drops the event there.
 *   EventStoreDB refuses to start a `$all` read in the middle of a record, so
 *   every read must start at the offset of one.
 *
 * So `from` may be `0n`, a position the store returned, or one past it; any
 * other number may fall inside a record, and EventStoreDB refuses that read.
 *
 * @module
 */

import type { Position, ReadPosition } from "@eventstore/db-client";

/** What EventStoreDB sends for a position it does not know (the largest uint64). */
export const UNKNOWN_LOG_POSITION = 18_446_744_073_709_551_615n;

/**
 * The ordo position of an event at this `$all` position; `undefined` when the
 * server did not report one (stream reads on servers before 22.6).
 *
 * @throws {Error} when commit and prepare differ: the event was written in an
 *   explicit transaction (the legacy TCP API), which has no single position
 * @example
 * ```ts
 * import { toGlobalPosition } from "./global_position.ts";
 * toGlobalPosition({ commit: 1024n, prepare: 1024n }); // 2049n
 * ```
 */
export function toGlobalPosition(position: Position | undefined): bigint | undefined {
  if (position === undefined) return undefined;
  const { commit, prepare } = position;
  if (
    commit === UNKNOWN_LOG_POSITION || prepare === UNKNOWN_LOG_POSITION || commit < 0n ||
    prepare < 0n
  ) return undefined;
  if (commit !== prepare) {
    throw new Error(
      `Cannot number the event at commit position ${commit}, prepare position ${prepare}: it was written in an explicit transaction, which ordo does not read`,
    );
  }
  return commit * 2n + 1n;
}

/**
 * The `$all` position of the event at an ordo position (an odd number).
 *
 * @example
 * ```ts
 * import { toLogPosition } from "./global_position.ts";
 * toLogPosition(2049n); // { commit: 1024n, prepare: 1024n }
 * ```
 */
export function toLogPosition(globalPosition: bigint): Position {
  const offset = (globalPosition - 1n) / 2n;
  return { commit: offset, prepare: offset };
}

/**
 * Where a forward `$all` read for ordo's `from` (inclusive) starts. The read
 * may return one event below `from` (the one a checkpoint names), which the
 * caller drops by comparing positions.
 *
 * @example
 * ```ts
 * import { readStartFor } from "./global_position.ts";
 * readStartFor(0n); // "start"
 * readStartFor(2049n); // { commit: 1024n, prepare: 1024n }: that event and on
 * readStartFor(2050n); // { commit: 1024n, prepare: 1024n }: the events after it
 * ```
 */
export function readStartFor(from: bigint): ReadPosition {
  if (from <= 1n) return "start";
  return toLogPosition(from % 2n === 1n ? from : from - 1n);
}
