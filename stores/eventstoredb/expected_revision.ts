/**
 * ordo's expected versions in EventStoreDB's terms and back. Both count a
 * stream's events from 0, so a version is a revision: ordo `3` is revision
 * `3n`, `"no-stream"` is `"no_stream"`, `"exists"` is `"stream_exists"`,
 * `"any"` is `"any"`.
 *
 * @module
 */

import type { AppendExpectedRevision, CurrentRevision } from "@eventstore/db-client";
import type { ExpectedVersion } from "../../core/mod.ts";
import type { AppendOptionsForBothClients } from "./client.ts";

/**
 * The expected revision EventStoreDB checks for an ordo expected version.
 *
 * @example
 * ```ts
 * import { toExpectedRevision } from "./expected_revision.ts";
 * toExpectedRevision(3); // 3n
 * toExpectedRevision("exists"); // "stream_exists"
 * ```
 */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case "any":
      return "any";
    case "no-stream":
      return "no_stream";
    case "exists":
      return "stream_exists";
    default:
      return BigInt(expected);
  }
}

/**
 * The append options that make either client check `expected`: the revision
 * under both clients' names for it (see {@link AppendOptionsForBothClients}).
 *
 * @example
 * ```ts
 * import { toAppendOptions } from "./expected_revision.ts";
 * toAppendOptions(3); // { expectedRevision: 3n, streamState: 3n }
 * ```
 */
export function toAppendOptions(expected: ExpectedVersion): AppendOptionsForBothClients {
  const revision = toExpectedRevision(expected);
  return { expectedRevision: revision, streamState: revision };
}

/**
 * An ordo stream version from EventStoreDB's current revision: `undefined`
 * when the stream does not exist.
 *
 * @example
 * ```ts
 * import { fromCurrentRevision } from "./expected_revision.ts";
 * fromCurrentRevision(4n); // 4
 * fromCurrentRevision("no_stream"); // undefined
 * ```
 */
export function fromCurrentRevision(current: CurrentRevision | undefined): number | undefined {
  if (typeof current !== "bigint" || current < 0n) return undefined;
  return Number(current);
}
