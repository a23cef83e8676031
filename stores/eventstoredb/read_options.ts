/**
 * ordo's read options as the client's. Stream versions are revisions, so a
 * stream read maps one to one; global reads walk `$all` in pages, starting
 * where {@link readStartFor} says.
 *
 * @module
 */

import type {
  Filter,
  ReadAllOptions,
  ReadPosition,
  ReadStreamOptions,
} from "@eventstore/db-client";
import type { CheckedReadStreamOptions } from "../../core/mod.ts";
import type { StreamNaming } from "./stream_names.ts";

/**
 * The client's options for `readStream` from checked ordo options. A backward
 * read without `from` starts at the end.
 *
 * @example
 * ```ts
 * import { toReadStreamOptions } from "./read_options.ts";
 * toReadStreamOptions({ direction: "backward", from: 2, limit: 2 });
 * // { direction: "backwards", fromRevision: 2n, maxCount: 2 }
 * ```
 */
export function toReadStreamOptions(options: CheckedReadStreamOptions): ReadStreamOptions {
  const forward = options.direction === "forward";
  const fromRevision = options.from !== undefined
    ? BigInt(options.from)
    : forward
    ? "start"
    : "end";
  const result: ReadStreamOptions = { direction: forward ? "forwards" : "backwards", fromRevision };
  return options.limit === Infinity ? result : { ...result, maxCount: options.limit };
}

/**
 * The client's options for one page of a `$all` read.
 *
 * @example
 * ```ts
 * import { toReadAllOptions } from "./read_options.ts";
 * toReadAllOptions("start", "forward", 500); // { direction: "forwards", fromPosition: "start", maxCount: 500 }
 * ```
 */
export function toReadAllOptions(
  from: ReadPosition,
  direction: "forward" | "backward",
  pageSize: number,
): ReadAllOptions {
  return {
    direction: direction === "forward" ? "forwards" : "backwards",
    fromPosition: from,
    maxCount: pageSize,
  };
}

/**
 * How many `$all` events to ask for when `limit` messages are wanted: one more
 * than the limit (a read may start at the event before `from`), at least
 * `minimum` since other streams' events are skipped on the client, and never
 * more than `maximum`.
 *
 * @example
 * ```ts
 * import { pageSizeFor } from "./read_options.ts";
 * pageSizeFor(10); // 256
 * pageSizeFor(1000); // 1001
 * ```
 */
export function pageSizeFor(limit: number, minimum = 256, maximum = 4096): number {
  return Math.min(maximum, Math.max(minimum, limit + 1));
}

/**
 * The server-side filter of the live `$all` subscription that wakes waiting
 * readers: the namespace's streams, or every non-system event without one.
 * The adapter still checks each event itself.
 *
 * @example
 * ```ts
 * import { subscriptionFilter } from "./read_options.ts";
 * subscriptionFilter({ prefix: "shop/" });
 * // { filterOn: "streamName", prefixes: ["shop/"], checkpointInterval: 1000 }
 * ```
 */
export function subscriptionFilter(naming: StreamNaming): Filter {
  return naming.prefix === ""
    ? { filterOn: "eventType", regex: "^[^$]", checkpointInterval: 1000 }
    : { filterOn: "streamName", prefixes: [naming.prefix], checkpointInterval: 1000 };
}
