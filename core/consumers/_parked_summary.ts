// A group's parked count and oldest parking time, from the storage's own
// summary when it has one, else by paging through its list.

import type { ParkedMessageStore, ParkedSummary } from "./storage.ts";

const PAGE = 1_000;

/** How many messages `group` has parked, and the earliest `parkedAt` among them. */
export async function parkedSummary<Tx>(
  parked: ParkedMessageStore<Tx>,
  group: string,
): Promise<ParkedSummary> {
  if (typeof parked.summary === "function") return await parked.summary(group);
  let count = 0;
  let oldest: string | undefined;
  let after: bigint | undefined;
  for (;;) {
    const page = await parked.list(
      group,
      after === undefined ? { limit: PAGE } : {
        limit: PAGE,
        after,
      },
    );
    for (const entry of page) {
      count++;
      if (oldest === undefined || entry.parkedAt < oldest) oldest = entry.parkedAt;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].message.globalPosition;
  }
  return oldest === undefined ? { count } : { count, oldestParkedAt: oldest };
}
