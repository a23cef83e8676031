/**
 * Replaying parked messages from outside the service that parked them. The
 * handler that must run again lives in that service, so a replay is asked
 * for in the consumer storage's control store and a running consumer of the
 * group takes it within its `controlInterval` (2 s by default) and runs it
 * through its handler. While no consumer of the group runs, the request
 * waits; the next one to start takes it. docs/decisions/operations.md.
 *
 * @module
 */

import {
  checkOptions,
  type ConsumerControlStore,
  type ConsumerStorage,
  NotFoundError,
  type ParkedMessage,
  type StoredError,
  validateId,
  ValidationError,
} from "../core/mod.ts";
import {
  checkNatsEventGroups,
  type NatsEventGroupLister,
  refuseNatsGroupReplay,
} from "./_nats_event_groups.ts";

/** What was asked for: which messages, and how many consumers of the group run to take them. */
export interface ReplayAsked {
  /** The group whose handler replays them. */
  readonly group: string;
  /** The parked messages asked for, each with its attempts when asked (to tell a new failure). */
  readonly messages: readonly { readonly messageId: string; readonly attempts: number }[];
  /** Consumers of the group running when asked: 0 means the replay waits for one to start. */
  readonly running: number;
}

/** Options of {@link requestReplay} and {@link requestReplayAll}. */
export interface RequestReplayOptions {
  /** The group that parked it (requestReplay: else found). */
  readonly group?: string;
  /**
   * Lists the NATS transport's groups (as `inspectConsumers` takes it): a
   * replay for one of them is refused, as the transport takes none.
   */
  readonly natsEventGroups?: NatsEventGroupLister;
}

/** How an asked-for replay went, as far as the storage tells. */
export interface ReplayOutcome {
  /** The parked message. */
  readonly messageId: string;
  /**
   * `replayed`: handled and off the parked list; `failed`: handled, failed
   * again, still parked (with `error`); `pending`: not taken by a consumer yet;
   * `taken`: taken and not finished yet.
   */
  readonly outcome: "replayed" | "failed" | "pending" | "taken";
  /** The new error, when it failed. */
  readonly error?: StoredError;
}

function controlOf<Tx>(storage: ConsumerStorage<Tx>): ConsumerControlStore {
  if (storage.control === undefined) {
    throw new ValidationError(
      "storage.control",
      undefined,
      "this consumer storage keeps no control store, which replays asked from outside the service need",
    );
  }
  return storage.control;
}

/**
 * Asks the group's running consumers to replay one parked message. Without
 * `group`, finds the group that parked it.
 *
 * @throws {NotFoundError} when no group (or not `group`) has the message parked
 * @throws {ValidationError} when the id is no UUID, several groups parked it and none was named, or
 *   the group is a NATS transport group (`natsEventGroups`)
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../mod.ts";
 * import { requestReplay } from "./replay_requests.ts";
 * const storage = createMemoryConsumerStorage();
 * await requestReplay(storage, "0b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3").catch((e) => console.log(e.message));
 * // Cannot find parked message "0b9c1d2e-…": no consumer group has it parked
 * ```
 */
export async function requestReplay<Tx>(
  storage: ConsumerStorage<Tx>,
  messageId: string,
  options: RequestReplayOptions = {},
): Promise<ReplayAsked> {
  checkOptions(options, ["group", "natsEventGroups"]);
  const nats = checkNatsEventGroups(options.natsEventGroups, "options.natsEventGroups");
  const control = controlOf(storage);
  const id = validateId(messageId, "messageId");
  const entry = await findParked(storage, id, options.group);
  await refuseNatsGroupReplay(nats, entry.group);
  await control.requestReplay(entry.group, id);
  return {
    group: entry.group,
    messages: [{ messageId: id, attempts: entry.attempts }],
    running: await runningCount(control, entry.group),
  };
}

/**
 * Asks the group's running consumers to replay every message it has parked now.
 *
 * @throws {ValidationError} when the group is a NATS transport group (`natsEventGroups`)
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../mod.ts";
 * import { requestReplayAll } from "./replay_requests.ts";
 * const asked = await requestReplayAll(createMemoryConsumerStorage(), "totals");
 * console.log(asked.messages.length, asked.running); // 0 0
 * ```
 */
export async function requestReplayAll<Tx>(
  storage: ConsumerStorage<Tx>,
  group: string,
  options: Pick<RequestReplayOptions, "natsEventGroups"> = {},
): Promise<ReplayAsked> {
  checkOptions(options, ["natsEventGroups"]);
  await refuseNatsGroupReplay(
    checkNatsEventGroups(options.natsEventGroups, "options.natsEventGroups"),
    group,
  );
  const control = controlOf(storage);
  const messages: { messageId: string; attempts: number }[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await storage.parked.list(group, { limit: 500, ...(after ? { after } : {}) });
    for (const entry of page) {
      await control.requestReplay(group, entry.message.id);
      messages.push({ messageId: entry.message.id, attempts: entry.attempts });
    }
    if (page.length < 500) break;
    after = page[page.length - 1].message.globalPosition;
  }
  return { group, messages, running: await runningCount(control, group) };
}

/**
 * How the replays asked for went, now: each is replayed, failed again,
 * still pending, or taken and in progress.
 *
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../mod.ts";
 * import { replayOutcomes } from "./replay_requests.ts";
 * const storage = createMemoryConsumerStorage();
 * console.log(await replayOutcomes(storage, { group: "totals", messages: [], running: 0 })); // []
 * ```
 */
export async function replayOutcomes<Tx>(
  storage: ConsumerStorage<Tx>,
  asked: ReplayAsked,
): Promise<ReplayOutcome[]> {
  const pending = new Set(
    (await controlOf(storage).pendingReplays(asked.group)).map((r) => r.messageId),
  );
  return await Promise.all(asked.messages.map(async ({ messageId, attempts }) => {
    const entry = await storage.parked.get(asked.group, messageId);
    if (entry === undefined) return { messageId, outcome: "replayed" as const };
    if (entry.attempts > attempts) {
      return { messageId, outcome: "failed" as const, error: entry.error };
    }
    return { messageId, outcome: pending.has(messageId) ? "pending" as const : "taken" as const };
  }));
}

/** The parked entry of `messageId`, in `group` or in the one group that has it. */
async function findParked<Tx>(
  storage: ConsumerStorage<Tx>,
  messageId: string,
  group: string | undefined,
): Promise<ParkedMessage> {
  if (group !== undefined) {
    const entry = await storage.parked.get(group, messageId);
    if (entry === undefined) {
      throw new NotFoundError("parked message", messageId, `group "${group}" has not parked it`);
    }
    return entry;
  }
  if (storage.parked.groups === undefined) {
    throw new ValidationError("group", group, "this storage cannot search every group: name one");
  }
  const found: ParkedMessage[] = [];
  for (const { group: name } of await storage.parked.groups()) {
    const entry = await storage.parked.get(name, messageId);
    if (entry !== undefined) found.push(entry);
  }
  if (found.length === 0) {
    throw new NotFoundError("parked message", messageId, "no consumer group has it parked");
  }
  if (found.length > 1) {
    throw new ValidationError(
      "group",
      group,
      `the message is parked in groups ${found.map((e) => `"${e.group}"`).join(", ")}: name one`,
    );
  }
  return found[0];
}

async function runningCount(control: ConsumerControlStore, group: string): Promise<number> {
  return (await control.running()).filter((p) => p.group === group).length;
}
