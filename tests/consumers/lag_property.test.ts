// A fast-check property of the status API: after random appends and random
// processing (handlers that hold some messages forever, consumers and group
// members over categories and the whole store, appends before and after they
// start), every group and partition reports
//   position = the global position up to which its source is dealt with
//              (the position before its first held message, else the head)
//   lag      = head - position
// computed here from the store's messages alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Consumer,
  type ConsumerSource,
  createConsumer,
  createGroupConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  partitionOf,
  type PartitionStatus,
  type RecordedMessage,
} from "../../mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

interface GroupSpec {
  readonly source: "all" | "a" | "b";
  /** 0: a consumer without partitions; otherwise a group member holding them all. */
  readonly partitions: number;
  /** Appends (by index) whose messages this group's handler holds forever. */
  readonly held: readonly number[];
}

const groupSpec: fc.Arbitrary<GroupSpec> = fc.record({
  source: fc.constantFrom("all" as const, "a" as const, "b" as const),
  partitions: fc.integer({ min: 0, max: 4 }),
  held: fc.uniqueArray(fc.nat(19), { maxLength: 3 }),
});

const appendSpec = fc.record({
  stream: fc.constantFrom("a-1", "a-2", "a-3", "b-1", "b-2", "c-1"),
  count: fc.integer({ min: 1, max: 3 }),
});

function sourceOf(spec: GroupSpec): ConsumerSource {
  return spec.source === "all" ? { all: true } : { category: spec.source };
}

function inSource(spec: GroupSpec, message: RecordedMessage): boolean {
  return spec.source === "all" || message.streamName.startsWith(`${spec.source}-`);
}

/** What a partition must report: its first held message's position - 1, else the head. */
function expectedPosition(
  spec: GroupSpec,
  partition: number,
  messages: readonly RecordedMessage[],
  head: bigint,
): bigint {
  for (const message of messages) {
    if (!inSource(spec, message)) continue;
    if (spec.partitions > 0 && partitionOf(message.streamName, spec.partitions) !== partition) {
      continue;
    }
    if ((message.data as { held: number[] }).held.includes(GROUPS.indexOf(spec))) {
      return message.globalPosition - 1n;
    }
  }
  return head;
}

// The group specs of the run in progress (a message's data names the groups that hold it).
let GROUPS: readonly GroupSpec[] = [];

async function runScenario(
  groups: readonly GroupSpec[],
  appends: readonly { stream: string; count: number }[],
  startAfter: number,
): Promise<void> {
  GROUPS = groups;
  const store: EventStore = createMemoryStore();
  const storage = createMemoryConsumerStorage();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const append = async (i: number) => {
    const held = groups.flatMap((g, index) => (g.held.includes(i) ? [index] : []));
    const { stream, count } = appends[i];
    await store.append(
      stream,
      Array.from({ length: count }, () => ({ type: "Happened", data: { held } })),
    );
  };
  for (let i = 0; i < Math.min(startAfter, appends.length); i++) await append(i);
  const consumers: Consumer[] = groups.map((spec, index) => {
    const handler = async (message: RecordedMessage) => {
      if ((message.data as { held: number[] }).held.includes(index)) await released;
    };
    const common = { group: `g${index}`, storage, handler };
    return spec.partitions === 0
      ? createConsumer(store, { ...common, source: sourceOf(spec) })
      : createGroupConsumer(store, {
        ...common,
        source: sourceOf(spec) as { all: true } | { category: string },
        partitions: spec.partitions,
      });
  });
  try {
    for (let i = startAfter; i < appends.length; i++) await append(i);
    const messages = await store.readAll().toArray();
    const head = await store.headPosition();
    for (const [index, spec] of groups.entries()) {
      const wanted = Array.from({ length: Math.max(1, spec.partitions) }, (_, p) => ({
        partition: p,
        position: expectedPosition(spec, p, messages, head),
      }));
      const seen = await settled(
        consumers[index],
        wanted.length,
        (partitions) => partitions.every((p, i) => p.position === wanted[i].position),
      );
      assert.equal(seen.head, head);
      for (const [i, partition] of seen.partitions.entries()) {
        assert.equal(partition.partition, wanted[i].partition);
        assert.equal(partition.position, wanted[i].position, `g${index} partition ${i} position`);
        assert.equal(
          partition.lag,
          Number(head - wanted[i].position),
          `g${index} partition ${i} lag`,
        );
      }
    }
  } finally {
    release();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  }
}

/** The consumer's status once it holds `count` partitions that satisfy `done` (or after 3 s, as it is then). */
async function settled(
  consumer: Consumer,
  count: number,
  done: (partitions: readonly PartitionStatus[]) => boolean,
) {
  const start = Date.now();
  for (;;) {
    const status = await consumer.status();
    const ready = status.partitions.length === count && done(status.partitions);
    if (ready || Date.now() - start > 3_000) return status;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("consumer lag", () => {
  it("equals head minus processed for every group and partition, after random appends and processing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(groupSpec, { minLength: 1, maxLength: 3 }),
        fc.array(appendSpec, { minLength: 1, maxLength: 20 }),
        fc.nat(20),
        (groups, appends, startAfter) => runScenario(groups, appends, startAfter),
      ),
      propertyParameters(40),
    );
  });
});
