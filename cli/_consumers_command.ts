/**
 * `ordo consumers [group]`: every consumer group with its state, lag,
 * parked messages and last error, and each partition with its owner,
 * checkpoint and lag.
 *
 * @module
 */

import { type ConsumerGroupView, inspectConsumers } from "../admin/mod.ts";
import type { ConsumerSource } from "../core/mod.ts";
import { type Command, CONNECTION_HELP } from "./_command.ts";
import { lagText, UNKNOWN_SOURCE } from "./_consumer_text.ts";
import { CliFailure } from "./_failure.ts";
import { renderTable, shortTime } from "./_table.ts";

/** `ordo consumers`. */
export const consumersCommand: Command = {
  name: "consumers",
  summary: "consumer groups: partitions, owners, checkpoints, lag, last error",
  help: `Usage: ordo consumers [group] [connection] [--json]

Every consumer group the storage knows (or one): whether a consumer of it
runs, what it reads, its lag (messages of its source past its slowest
checkpoint), parked messages and last error; then each partition with the
member holding it, its checkpoint and lag. On NATS, the NATS transport's
bus.subscribe groups too (one partition each, at their durable consumer's
ack floor).

${CONNECTION_HELP}

Output (--json): [{ "group", "source", "partitionCount", "state", "running",
  "members", "head", "lag", "lagCapped", "oldestUnhandledAt", "parked",
  "oldestParkedAt", "lastError", "pendingReplays", "transport" ("nats" for a NATS
  transport group, else absent), "partitions": [{
  "partition", "checkpoint", "owner", "leaseExpiresAt", "lag", "lagCapped" }] }]`,
  options: {},
  maxPositionals: 1,
  async run({ positionals, connection, print }) {
    const [group] = positionals;
    const { store, storage, natsEventGroups } = await connection();
    const groups = await inspectConsumers(store, storage, {
      ...(group === undefined ? {} : { group }),
      ...(natsEventGroups === undefined ? {} : { natsEventGroups }),
    });
    if (group !== undefined && groups.length === 0) {
      throw new CliFailure(
        `No consumer group "${group}": run ordo consumers to see the groups the storage knows`,
      );
    }
    print(groups, () => groups.length === 0 ? "No consumer groups.\n" : render(groups));
    return 0;
  },
};

function sourceText(source: ConsumerSource | undefined): string {
  if (source === undefined) return "?";
  const types = "types" in source && source.types ? ` [${source.types.join(", ")}]` : "";
  if ("stream" in source) return `stream ${source.stream}`;
  return "category" in source ? `category ${source.category}${types}` : `all${types}`;
}

function render(groups: readonly ConsumerGroupView[]): string {
  let text = renderTable(
    ["GROUP", "STATE", "READS", "PARTITIONS", "LAG", "PARKED", "LAST ERROR"],
    groups.map((g) => [
      g.group,
      g.state,
      sourceText(g.source),
      String(g.partitionCount),
      lagText(g),
      String(g.parked),
      g.lastError === undefined ? "-" : `${g.lastError.name}: ${g.lastError.message}`,
    ]),
  );
  // A bare "?" read as a fault to a user whose group had only been rebuilt.
  if (groups.some((g) => g.source === undefined)) text += UNKNOWN_SOURCE;
  for (const g of groups) {
    text += `\n${g.group}: ${g.running.length} running${
      g.pendingReplays > 0 ? `, ${g.pendingReplays} replay(s) waiting` : ""
    }\n`;
    text += renderTable(
      ["  PARTITION", "OWNER", "LEASE UNTIL", "CHECKPOINT", "LAG"],
      g.partitions.map((p) => [
        `  ${p.partition}`,
        p.owner ?? "-",
        shortTime(p.leaseExpiresAt),
        p.checkpoint === undefined ? "-" : String(p.checkpoint),
        lagText(p),
      ]),
    );
  }
  return text;
}
