/**
 * Parked messages a page at a time, for the console and the command line:
 * each group's first `limit` entries after `after`, and for every group with
 * more, how many it has and where the next page starts, so that a listing
 * never stops at its limit without saying so.
 *
 * @module
 */

import { type ConsumerStorage, type ParkedMessage, ValidationError } from "../core/mod.ts";

/** What {@link listParkedMessages} lists. */
export interface ListParkedMessagesOptions {
  /** One group; default every group with parked messages (the storage must list them). */
  readonly group?: string;
  /** Entries per group, from 1; default 100. */
  readonly limit?: number;
  /** With `group`: only entries parked from a message after this global position (the next page). */
  readonly after?: bigint;
}

/** A group whose listing stopped at the limit. */
export interface ParkedMore {
  /** The group. */
  readonly group: string;
  /** Entries of the group listed. */
  readonly shown: number;
  /** Entries the group has parked in all, when the storage can count them. */
  readonly count?: number;
  /** Pass as `after` (`--after`) for the next page. */
  readonly after: bigint;
}

/** A page of parked messages. */
export interface ParkedListing {
  /** The groups listed. */
  readonly groups: string[];
  /** Their entries, group by group, each group's in global order. */
  readonly entries: ParkedMessage[];
  /** The groups with more entries than listed. */
  readonly more: ParkedMore[];
}

/**
 * Lists parked messages, a page per group.
 *
 * @throws {ValidationError} for a bad `limit`, `after` without `group`, or
 *   when no group is named and the storage cannot list its groups
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../mod.ts";
 * import { listParkedMessages } from "./list_parked.ts";
 * const listing = await listParkedMessages(createMemoryConsumerStorage(), { group: "totals" });
 * console.log(listing.entries.length, listing.more); // 0 []
 * ```
 */
export async function listParkedMessages<Tx>(
  storage: ConsumerStorage<Tx>,
  options: ListParkedMessagesOptions = {},
): Promise<ParkedListing> {
  const { group, after } = options;
  const limit = options.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError("limit", limit, "expected a whole number from 1");
  }
  if (after !== undefined && group === undefined) {
    throw new ValidationError("after", after, "pages one group: name it too");
  }
  const { parked } = storage;
  let counts = new Map<string, number>();
  let groups: string[];
  if (group !== undefined) {
    groups = [group];
  } else if (parked.groups !== undefined) {
    const found = await parked.groups();
    groups = found.map((g) => g.group);
    counts = new Map(found.map((g) => [g.group, g.count]));
  } else {
    throw new ValidationError(
      "group",
      undefined,
      "this storage cannot list every group's parked messages: name the group",
    );
  }
  const entries: ParkedMessage[] = [];
  const more: ParkedMore[] = [];
  for (const name of groups) {
    // One entry past the limit says whether there is more, without counting.
    const page = await parked.list(name, {
      limit: limit + 1,
      ...(after === undefined ? {} : { after }),
    });
    if (page.length > limit) {
      page.length = limit;
      const count = counts.get(name) ?? (await parked.summary?.(name))?.count;
      more.push({
        group: name,
        shown: limit,
        ...(count === undefined ? {} : { count }),
        after: page[limit - 1].message.globalPosition,
      });
    }
    entries.push(...page);
  }
  return { groups, entries, more };
}
