/**
 * Which partition of a consumer group a stream belongs to: a stable hash of
 * the stream name, so every message of one stream lands in one partition and
 * keeps its order, on every runtime and in every process.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";

/** Most partitions a group may have. */
export const MAX_PARTITIONS = 4096;

const encoder = new TextEncoder();

/**
 * FNV-1a (32 bits) of the stream name's UTF-8 bytes. Chosen because it is
 * tiny, has no dependency, and is easy to reproduce in SQL or another language
 * if a store ever filters partitions itself. The whole name is hashed, not
 * only the id after the dash: ids repeat across categories (`order-1`,
 * `user-1`), names do not, so an `all` consumer group spreads them too.
 *
 * @example
 * ```ts
 * import { streamHash } from "./partition.ts";
 * streamHash("order-1") === streamHash("order-1"); // true, in every process
 * ```
 */
export function streamHash(streamName: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(streamName)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The partition, in `[0, partitions)`, of a stream.
 *
 * @example
 * ```ts
 * import { partitionOf } from "./partition.ts";
 * partitionOf("order-1", 8); // the same number in every process
 * ```
 */
export function partitionOf(streamName: string, partitions: number): number {
  return streamHash(streamName) % partitions;
}

// Said to someone who left `partitions` out, so it explains what the number is, not only its range.
const PARTITIONS_REASON = `must be an integer from 1 to ${MAX_PARTITIONS}: ` +
  "the number of partitions the group's streams are split into (by a hash of the stream name), " +
  "each handled by one member at a time, so it caps how many members share the work. " +
  "Every member of the group must use the same number. " +
  "8 suits most groups (a few times the members you expect to run); 1 gives one active member and standbys";

/**
 * Checks a partition count.
 *
 * @throws {ValidationError} unless an integer from 1 to {@link MAX_PARTITIONS}
 * @example
 * ```ts
 * import { checkPartitions } from "./partition.ts";
 * checkPartitions(16); // 16
 * ```
 */
export function checkPartitions(partitions: unknown, path = "options.partitions"): number {
  if (
    typeof partitions !== "number" || !Number.isInteger(partitions) || partitions < 1 ||
    partitions > MAX_PARTITIONS
  ) {
    throw new ValidationError(path, partitions, PARTITIONS_REASON);
  }
  return partitions;
}
