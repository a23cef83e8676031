// The status API every consumer kind offers: `status()` from the monitor,
// the store's head and the group's parked summary; `waitFor` from the monitor.
// A stopped consumer answers even when those can no longer be read.

import { ValidationError } from "../errors.ts";
import type { EventStore } from "../event_store.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";
import { overallState } from "./_monitor.ts";
import { parkedSummary } from "./_parked_summary.ts";
import { storedErrorName } from "./_stored_error_name.ts";
import type { Consumer } from "./consumer_types.ts";
import type { ConsumerStatus, PartitionStatus } from "./status.ts";

/** `status` and `waitFor` of a consumer (`member` set for a group member). */
export function statusApi<Tx>(
  env: DeliveryEnv<Tx>,
  store: EventStore,
  member?: string,
): Pick<Consumer, "status" | "waitFor"> {
  const what = member === undefined
    ? `consumer "${env.group}"`
    : `member "${member}" of consumer group "${env.group}"`;
  return {
    status: async () => {
      const [head, parked] = await Promise.allSettled([
        store.headPosition(),
        parkedSummary(env.storage.parked, env.group),
      ]);
      const now = Date.now();
      if (head.status === "fulfilled" && parked.status === "fulfilled") {
        env.monitor.read(head.value, parked.value);
        const partitions = env.monitor.running().map((p) => p.status(head.value, now));
        return statusOf(env, { head: head.value, partitions, member, parked: parked.value, now });
      }
      // A running consumer whose store cannot be read is unhealthy: the
      // caller hears why. A stopped one (its store or storage closed, maybe
      // for good) still says that it stopped and why, from what it knew.
      if (!env.monitor.stopped) {
        throw head.status === "rejected" ? head.reason : (parked as PromiseRejectedResult).reason;
      }
      const known = env.monitor.known;
      const unread = [
        head.status === "rejected" ? `head: ${storedErrorName(head.reason).message}` : undefined,
        parked.status === "rejected"
          ? `parked count: ${storedErrorName(parked.reason).message}`
          : undefined,
      ].filter((text) => text !== undefined).join("; ");
      return {
        ...statusOf(env, {
          head: head.status === "fulfilled" ? head.value : known.head,
          partitions: [],
          member,
          parked: parked.status === "fulfilled" ? parked.value : known.parked,
          now,
        }),
        unread,
      };
    },
    waitFor: (position, options = {}) => {
      if (typeof position !== "bigint" || position < 0n) {
        return Promise.reject(
          new ValidationError("position", position, "must be a global position, a bigint from 0n"),
        );
      }
      return env.monitor.waitFor(position, options, what);
    },
  };
}

function statusOf<Tx>(
  env: DeliveryEnv<Tx>,
  facts: {
    readonly head: bigint;
    readonly partitions: readonly PartitionStatus[];
    readonly member: string | undefined;
    readonly parked: { readonly count: number; readonly oldestParkedAt?: string };
    readonly now: number;
  },
): ConsumerStatus {
  const { head, partitions, member, parked, now } = facts;
  let position = head;
  let lag = 0;
  let lagSeconds = 0;
  for (const p of partitions) {
    if (p.position < position) position = p.position;
    lag = Math.max(lag, p.lag);
    lagSeconds = Math.max(lagSeconds, p.lagSeconds);
  }
  const lastError = env.monitor.lastError;
  const stoppedBy = env.monitor.stopped ? env.monitor.stoppedBy : undefined;
  return {
    group: env.group,
    ...(member === undefined ? {} : { member }),
    state: overallState(partitions, env.monitor.stopped),
    position,
    head,
    lag,
    lagSeconds,
    ...(lastError === undefined ? {} : { lastError }),
    parked: parked.count,
    ...(parked.oldestParkedAt === undefined ? {} : { oldestParkedAt: parked.oldestParkedAt }),
    partitions,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
    at: new Date(now).toISOString(),
  };
}
