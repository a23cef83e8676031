/**
 * The consumer storage as the command line reads it on NATS: the storage's
 * own groups, and the NATS transport's `bus.subscribe` groups, whose
 * positions live in their durable JetStream consumers on the store's stream
 * (`listNatsEventGroups`), not in the storage. Without them `ordo consumers`
 * and `ordo status` listed none of a NATS transport's subscriptions (only
 * those with parked messages, which the transport parks in the storage).
 *
 * A transport group is one partition (its deliveries are in order), its
 * checkpoint the durable's ack floor, its source the durable's filter, and it
 * runs while a process pulls from it (`instance` is the durable's name).
 *
 * @module
 */

import type { CheckpointEntry, ConsumerStorage, KnownGroup, PresentConsumer } from "../core/mod.ts";
import type { NatsEventGroup } from "../transports/nats/mod.ts";

// A pulling loop renews its pull every 2 s (the transport's EXPIRES): listed as running that long.
const PULL_MS = 2000;

/**
 * `storage` with the event groups `list` reads added to its checkpoints and
 * to its control store's groups and running consumers; `list` is asked once.
 */
export function withEventGroups<Tx>(
  storage: ConsumerStorage<Tx>,
  list: () => Promise<NatsEventGroup[]>,
): ConsumerStorage<Tx> {
  let read: Promise<NatsEventGroup[]> | undefined;
  const groups = () => read ??= list();
  const control = storage.control;
  return override(storage, {
    checkpoints: override(storage.checkpoints, {
      list: async (): Promise<CheckpointEntry[]> => [
        ...(await storage.checkpoints.list?.() ?? []),
        ...(await groups()).map(({ group, position }) => ({ group, partition: 0, position })),
      ],
    }),
    ...(control === undefined ? {} : {
      control: override(control, {
        groups: async (): Promise<KnownGroup[]> => [
          ...await control.groups(),
          ...(await groups()).map(({ group, source, createdAt }) => ({
            group,
            source,
            partitions: 1,
            seenAt: createdAt,
          })),
        ],
        running: async (): Promise<PresentConsumer[]> => [
          ...await control.running(),
          ...(await groups()).filter((g) => g.pulling).map((g) => ({
            group: g.group,
            instance: g.durable,
            source: g.source,
            partitions: 1,
            startedAt: g.createdAt,
            expiresAt: Date.now() + PULL_MS,
          })),
        ],
      }),
    }),
  });
}

// `target` with `changes` in place of some of its members; the others bound to it (a class's are not spread).
function override<T extends object>(target: T, changes: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(changes, key)) return changes[key as keyof T];
      const value = Reflect.get(object, key);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}
