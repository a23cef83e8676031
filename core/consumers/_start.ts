// Where a consumer's first read starts when its group has no checkpoint yet:
// the start, a position given, or the end of its source as it is now.

import type { EventStore } from "../event_store.ts";
import type { ConsumerStart } from "./_options.ts";
import type { ConsumerSource } from "./source.ts";

/**
 * The checkpoint a consumer without one starts from: `0n` for `"start"`, the
 * position given, or one past the source's end for `"end"` (its stream's
 * next version for a stream; one past the store's head otherwise, a head
 * below which no append is still in flight, so nothing that commits later
 * can land behind it).
 */
export async function startPosition(
  store: Pick<EventStore, "headPosition" | "getStreamInfo">,
  source: ConsumerSource,
  from: ConsumerStart,
): Promise<bigint> {
  if (from === "start") return 0n;
  if (typeof from === "bigint") return from;
  if ("stream" in source) {
    const { version } = await store.getStreamInfo(source.stream);
    return version === undefined ? 0n : BigInt(version) + 1n;
  }
  return (await store.headPosition()) + 1n;
}
