// Which consumers of which group run in this process on which storage, so
// that a second start of one group on one storage object is refused at once
// instead of both handling every message and moving one checkpoint (a
// first-hour user did it with two createConsumer calls, and nothing said so).
// Kept per storage object in a WeakMap: a storage dropped by its user takes
// its entries with it, and the check costs a map lookup per start, nothing
// per message. Other processes and other storage objects over the same
// database are not seen here: group members' leases cover those.
// docs/decisions/consumers.md, "One running consumer per group and storage".

import { ValidationError } from "../errors.ts";

/** What runs a group: a plain consumer, a rebuild, or a named member of a consumer group. */
export type GroupRunner =
  | { readonly kind: "consumer" }
  | { readonly kind: "rebuild" }
  | { readonly kind: "member"; readonly member: string };

const running = new WeakMap<object, Map<string, GroupRunner[]>>();

/**
 * Records that `runner` runs `group` on `storage` until the returned release
 * is called (once it has stopped: no handler in progress, no commit left).
 *
 * @throws {ValidationError} at `options.group` when another runner of the group is running on this
 * storage, at `options.member` when a member of the same name is; nothing is recorded then
 */
export function claimGroup(storage: object, group: string, runner: GroupRunner): () => void {
  let groups = running.get(storage);
  if (groups === undefined) running.set(storage, groups = new Map());
  const runners = groups.get(group) ?? [];
  // Members under different names share the group's partitions through leases; anything else
  // beside another runner would deliver the same messages twice.
  const other = runners.find((held) =>
    !(held.kind === "member" && runner.kind === "member" && held.member !== runner.member)
  );
  if (other !== undefined) throw refusal(group, runner, other);
  const entry = { ...runner };
  groups.set(group, [...runners, entry]);
  return () => {
    const now = groups.get(group)?.filter((held) => held !== entry) ?? [];
    if (now.length === 0) groups.delete(group);
    else groups.set(group, now);
  };
}

const NAMES = {
  consumer: "a consumer (createConsumer)",
  rebuild: "a rebuild (rebuildProjection)",
} as const;

function refusal(group: string, runner: GroupRunner, other: GroupRunner): ValidationError {
  const where = `on this storage object in this process`;
  if (runner.kind === "member" && other.kind === "member") {
    return new ValidationError(
      "options.member",
      runner.member,
      `a member of group ${
        JSON.stringify(group)
      } under this name is already running ${where}; two instances under one name would handle the same partitions: give each member its own name (or leave options.member unset for a random one), or await the running one's stop() first`,
    );
  }
  const held = other.kind === "member"
    ? `member ${JSON.stringify(other.member)} of the consumer group (createGroupConsumer)`
    : NAMES[other.kind];
  const what = runner.kind === "rebuild"
    ? "a rebuild would reset the checkpoint under it and both would handle the same messages: await its stop() before rebuilding, or rebuild into a new group"
    : runner.kind === "member"
    ? "a consumer group cannot share its checkpoints with it: await its stop() first, or use another group name"
    : "both would handle every message and move one checkpoint: await its stop() first, use another group name for a second reader, or run createGroupConsumer members under distinct names to share the work";
  return new ValidationError(
    "options.group",
    group,
    `${held} of this group is already running ${where}; ${what}`,
  );
}
