/**
 * The NATS transport's `bus.subscribe` groups among what the operators'
 * tools list. Their position is not in the consumer storage: it is the ack
 * floor of each group's durable JetStream consumer on the store's stream,
 * which `listNatsEventGroups` (`ordo/transports/nats`) reads. Without them
 * the console, `ordo consumers` and `ordo status` listed none of a NATS
 * transport's subscriptions (only those with parked messages, which the
 * transport parks in the storage). One merge, which `inspectConsumers` runs
 * for both.
 *
 * A transport group is one partition (its deliveries are in order), its
 * checkpoint the durable's ack floor, its source the durable's filter, and it
 * runs while a process pulls from it (`instance` is the durable's name). It
 * takes no replay: the transport never reads the control store's requests.
 *
 * @module
 */

import {
  type CheckpointEntry,
  type KnownGroup,
  type Logger,
  Outage,
  type PresentConsumer,
  ValidationError,
} from "../core/mod.ts";
import type { NatsEventGroup } from "../transports/nats/mod.ts";

/**
 * Lists the NATS transport's event groups: `() => listNatsEventGroups(nc, {
 * headers, stream: store.stream, subjectPrefix: store.subjectPrefix })`.
 */
export type NatsEventGroupLister = () => Promise<readonly NatsEventGroup[]>;

/** What the storage says about groups, as `inspectConsumers` reads it. */
export interface GroupFacts {
  readonly known: KnownGroup[];
  readonly running: PresentConsumer[];
  readonly checkpoints: CheckpointEntry[];
}

// A pulling loop renews its pull every 2 s (the transport's EXPIRES): listed as running that long.
const PULL_MS = 2000;

/** `facts` with `groups` added as the storage's own would be. */
export function withNatsEventGroups<F extends GroupFacts>(
  facts: F,
  groups: readonly NatsEventGroup[],
): F {
  return {
    ...facts,
    known: [
      ...facts.known,
      ...groups.map(({ group, source, createdAt }) => ({
        group,
        source,
        partitions: 1,
        seenAt: createdAt,
      })),
    ],
    running: [
      ...facts.running,
      ...groups.filter((g) => g.pulling).map((g) => ({
        group: g.group,
        instance: g.durable,
        source: g.source,
        partitions: 1,
        startedAt: g.createdAt,
        expiresAt: Date.now() + PULL_MS,
      })),
    ],
    checkpoints: [
      ...facts.checkpoints,
      ...groups.map(({ group, position }) => ({ group, partition: 0, position })),
    ],
  };
}

/** What the lister gave: its groups, or none and why, when it failed. */
export interface NatsGroupsListed {
  readonly groups: readonly NatsEventGroup[];
  /** Why the list failed (its error's name and message); absent when it worked. */
  readonly failed?: string;
}

/**
 * Lists the transport's groups for a page: a lister that throws or rejects
 * (its NATS connection gone, a bug in the function given) gives none and
 * says why, so the console still answers with the storage's groups and says
 * which list is missing, rather than failing the whole page over it.
 */
export async function listNatsGroups(
  list: NatsEventGroupLister | undefined,
): Promise<NatsGroupsListed> {
  if (list === undefined) return { groups: [] };
  try {
    return { groups: await list() };
  } catch (error) {
    const said = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { groups: [], failed: said };
  }
}

/**
 * The lister, its failures said through the logger: once when they begin,
 * reminded while they last, and once when it lists again. The answers say a
 * list failed only to whoever has a page open; the chart's sampler, which
 * runs with no page open, left those groups out without a word.
 */
export function reportingFailures(
  list: NatsEventGroupLister,
  logger: Logger,
): NatsEventGroupLister {
  const outage = new Outage();
  return async () => {
    try {
      const groups = await list();
      const ended = outage.worked();
      if (ended !== undefined) {
        logger.info("Console lists the NATS transport's groups again", { ...ended });
      }
      return groups;
    } catch (error) {
      if (outage.failed()) {
        logger.warn("Console could not list the NATS transport's groups; showing the storage's", {
          error,
        });
      } else {
        const still = outage.remind();
        if (still !== undefined) {
          logger.warn("Console still cannot list the NATS transport's groups", { ...still, error });
        }
      }
      throw error;
    }
  };
}

/** Checks the option: a function, or absent. */
export function checkNatsEventGroups(
  value: unknown,
  path: string,
): NatsEventGroupLister | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new ValidationError(
      path,
      value,
      "must be a function listing the NATS transport's event groups: () => listNatsEventGroups(nc, { headers, stream, subjectPrefix })",
    );
  }
  return value as NatsEventGroupLister | undefined;
}

/**
 * Refuses a replay for a NATS transport group: the request would wait for
 * ever, as the transport takes none.
 *
 * @throws {ValidationError} when `group` is one of the transport's
 */
export async function refuseNatsGroupReplay(
  list: NatsEventGroupLister | undefined,
  group: string,
): Promise<void> {
  if (list === undefined || !(await list()).some((g) => g.group === group)) return;
  throw new ValidationError(
    "group",
    group,
    "is a NATS transport group (bus.subscribe): the transport takes no replay requests, so one would never run; read the parked message here and handle it in the service",
  );
}
