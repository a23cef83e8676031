/**
 * Which subjects of a stream hold messages, and how many each: JetStream's
 * stream info with `subjects_filter`. The server answers from its per-subject
 * index, without reading messages, and pages the answer by 100,000 subjects
 * (`offset`, `total`), so a listing costs one request per 100,000 subjects of
 * the filter. The NATS store browses its streams and categories through it.
 *
 * @module
 */

import type { JetStreamApi } from "./jetstream_api.ts";

/**
 * Every subject of `stream` matching `filter` (wildcards allowed) with its
 * message count, in no particular order.
 *
 * @throws {JetStreamApiFailure} when the server refuses (no such stream)
 * @example
 * ```ts ignore
 * import { subjectCounts } from "./subject_counts.ts";
 * const counts = await subjectCounts(api, "ORDO", "ordo.order.*");
 * counts.get("ordo.order.1"); // 3
 * ```
 */
export async function subjectCounts(
  api: JetStreamApi,
  stream: string,
  filter: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let offset = 0;;) {
    const answer = await api.request(`STREAM.INFO.${stream}`, { subjects_filter: filter, offset });
    const state = answer.state as { subjects?: Record<string, number> } | undefined;
    const page = Object.entries(state?.subjects ?? {});
    for (const [subject, count] of page) counts.set(subject, count);
    const total = typeof answer.total === "number" ? answer.total : 0;
    offset += page.length;
    // An empty page ends it too: subjects removed while paging shrink the total.
    if (page.length === 0 || offset >= total) return counts;
  }
}
