// A consumer's gauges: lag in positions and seconds per partition, its
// group's parked count and the age of the oldest parked message, and, for a
// group member, the leases it holds. Read when the telemetry collects, from
// the same facts `status()` reports.

import type { EventStore } from "../event_store.ts";
import { ATTR, type Attributes, METRIC, type Telemetry } from "../telemetry/mod.ts";
import type { ConsumerMonitor } from "./_monitor.ts";
import { parkedSummary } from "./_parked_summary.ts";
import type { ParkedMessageStore, ParkedSummary } from "./storage.ts";

/** What the gauges read. */
export interface GaugeSources {
  readonly group: string;
  /** A group member's name; absent for a consumer without partitions. */
  readonly member?: string;
  readonly store: EventStore;
  readonly parked: ParkedMessageStore<unknown>;
  readonly monitor: ConsumerMonitor;
}

/** One collection reads the head and the parked summary once for all gauges. */
const FRESH_MS = 100;

/** Registers the gauges; returns what removes them. */
export function observeConsumer(telemetry: Telemetry, sources: GaugeSources): () => void {
  const { group, member, store, monitor } = sources;
  const groupAttributes: Attributes = member === undefined
    ? { [ATTR.consumerGroup]: group }
    : { [ATTR.consumerGroup]: group, [ATTR.member]: member };
  const head = fresh(() => store.headPosition());
  const parked = fresh<ParkedSummary>(() => parkedSummary(sources.parked, group));
  const partitionAttributes = (partition: number): Attributes => ({
    ...groupAttributes,
    [ATTR.partition]: String(partition),
  });
  const stops = [
    telemetry.gauge(METRIC.lag, {
      unit: "{message}",
      description: "Global positions between the store's head and what a partition has processed",
    }, async (observer) => {
      const at = await head();
      for (const progress of monitor.running()) {
        observer.observe(
          progress.status(at, Date.now()).lag,
          partitionAttributes(progress.partition),
        );
      }
    }),
    telemetry.gauge(METRIC.lagTime, {
      unit: "s",
      description: "Age of the oldest message a partition has read and not yet processed",
    }, async (observer) => {
      const at = await head();
      for (const progress of monitor.running()) {
        observer.observe(
          progress.status(at, Date.now()).lagSeconds,
          partitionAttributes(progress.partition),
        );
      }
    }),
    telemetry.gauge(
      METRIC.parked,
      {
        unit: "{message}",
        description: "Messages parked in the consumer group",
      },
      async (observer) => observer.observe((await parked()).count, { [ATTR.consumerGroup]: group }),
    ),
    telemetry.gauge(METRIC.parkedAge, {
      unit: "s",
      description: "How long the group's oldest parked message has been parked",
    }, async (observer) => {
      const oldest = (await parked()).oldestParkedAt;
      const age = oldest === undefined ? 0 : Math.max(0, (Date.now() - Date.parse(oldest)) / 1000);
      observer.observe(age, { [ATTR.consumerGroup]: group });
    }),
  ];
  if (member !== undefined) {
    stops.push(telemetry.gauge(METRIC.leases, {
      unit: "{lease}",
      description: "Partitions a consumer group member holds",
    }, (observer) => observer.observe(monitor.running().length, groupAttributes)));
  }
  return () => stops.forEach((stop) => stop());
}

/** `read`, shared by the calls of one collection (within {@link FRESH_MS}); a failure observes nothing. */
function fresh<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { readonly at: number; readonly value: Promise<T> } | undefined;
  return () => {
    const now = performance.now();
    if (last === undefined || now - last.at > FRESH_MS) {
      const value = read();
      value.catch(() => {});
      last = { at: now, value };
    }
    return last.value;
  };
}
