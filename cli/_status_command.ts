/**
 * `ordo status`: the store at a glance (head, streams, categories) and every
 * consumer group with its state and lag.
 *
 * @module
 */

import { inspectConsumers, inspectStore } from "../admin/mod.ts";
import { type Command, CONNECTION_HELP } from "./_command.ts";
import { lagText, UNKNOWN_SOURCE } from "./_consumer_text.ts";
import { renderTable } from "./_table.ts";

/** `ordo status`. */
export const statusCommand: Command = {
  name: "status",
  summary: "head, streams, categories, and consumers with their lag",
  help: `Usage: ordo status [connection] [--json]

The store's head position, how many streams it holds, its categories with
their newest position, and each consumer group with its state, lag and
parked messages.

${CONNECTION_HELP}

Output (--json): { "schema" (on NATS "stream", "subjectPrefix", "bucket"), "head",
  "streams": { "count", "capped" }, "categories": [{ "category", "lastPosition" }],
  "consumers": [...] } (consumers as "ordo consumers --json" gives them; positions
  as strings).`,
  options: {},
  maxPositionals: 0,
  async run({ connection, print }) {
    const { store, storage, natsEventGroups, schema, nats, where } = await connection();
    // On NATS the store is named by its stream, subject prefix and bucket, not a schema.
    const name = nats === undefined ? { schema } : { stream: schema, ...nats };
    const [view, consumers] = await Promise.all([
      inspectStore(store),
      inspectConsumers(store, storage, natsEventGroups ? { natsEventGroups } : {}),
    ]);
    print({ ...name, ...view, consumers }, () => {
      const streams = view.streams === undefined
        ? "unknown"
        : `${view.streams.count}${view.streams.capped ? "+" : ""}`;
      const categories = view.categories ?? [];
      const named = nats === undefined
        ? `schema "${schema}"`
        : `stream "${schema}" (subjects ${nats.subjectPrefix}.>), bucket "${nats.bucket}"`;
      let text = `Store       ${where}, ${named}\n` +
        `Head        ${view.head}\nStreams     ${streams}\n` +
        `Categories  ${categories.length}\n`;
      if (categories.length > 0) {
        text += renderTable(
          ["  CATEGORY", "LAST POSITION"],
          categories.map((c) => [`  ${c.category}`, String(c.lastPosition)]),
        );
      }
      text += `Consumers   ${consumers.length}\n`;
      if (consumers.length > 0) {
        text += renderTable(
          ["  GROUP", "STATE", "LAG", "PARKED"],
          consumers.map((c) => [`  ${c.group}`, c.state, lagText(c), String(c.parked)]),
        );
        if (consumers.some((c) => c.source === undefined)) text += `  ${UNKNOWN_SOURCE}`;
      }
      return text;
    });
    return 0;
  },
};
