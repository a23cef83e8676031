// Consumer groups over any store and storage: members in one process share
// the store and the lease store, join, stop and crash mid-run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type ConsumerStorage,
  createGroupConsumer,
  type GroupConsumer,
  partitionOf,
} from "../../core/consumers/mod.ts";
import type { EventStore, RecordedMessage } from "../../mod.ts";
import type { ConsumerContractOptions, TxProbe } from "./consumer.ts";
import { crashingStorage } from "./_consumer_crash.ts";
import { batch, NO_DELAY, until, withRig } from "./_consumer_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";

const TTL = 150;

interface Member {
  readonly name: string;
  readonly consumer: GroupConsumer;
  readonly crash: () => void;
}

/** Several members of group "g" on one store and storage, and the checks they share. */
class Cluster<Tx> {
  readonly members: Member[] = [];
  readonly violations: string[] = [];
  readonly calls: RecordedMessage[] = [];
  // partition -> member handling it now
  readonly #inFlight = new Map<number, string>();
  #next = 0;

  constructor(
    readonly store: EventStore,
    readonly storage: ConsumerStorage<Tx>,
    readonly probe: TxProbe<Tx>,
    readonly partitions: number,
    /** Whether members handle messages one by one or in pages (`pageHandler`). */
    readonly kind: "message" | "page" = "message",
  ) {}

  /** A new member; `name` given again starts another instance under it (refused while one lives). */
  join(name = `m${this.#next++}`): Member {
    const storage = crashingStorage(this.storage);
    const controller = new AbortController();
    const consumer = createGroupConsumer<Tx>(this.store, {
      group: "g",
      source: { category: "order" },
      partitions: this.partitions,
      member: name,
      storage: {
        ...storage,
        // A crashed member stops without giving anything back: its leases must expire.
        leases: {
          ...storage.leases,
          heartbeat: (...args) => storage.leases.heartbeat(...args),
          acquire: (...args) => storage.leases.acquire(...args),
          list: (...args) => storage.leases.list(...args),
          release: (lease) => (crashed ? Promise.resolve() : storage.leases.release(lease)),
          leave: (
            group,
            member,
          ) => (crashed ? Promise.resolve() : storage.leases.leave(group, member)),
        },
      },
      leaseTtl: TTL,
      heartbeatInterval: 20,
      batchSize: 3,
      retry: { maxAttempts: 1_000, ...NO_DELAY },
      signal: controller.signal,
      ...(this.kind === "page"
        ? { pageHandler: (page, { tx, partition }) => this.#handle(name, page, partition, tx) }
        : { handler: (m, { tx, partition }) => this.#handle(name, [m], partition, tx) }),
    });
    let crashed = false;
    const member: Member = {
      name,
      consumer,
      crash: () => {
        crashed = true;
        storage.crashEveryCommit(); // the handler in progress does its effect but never commits
        controller.abort();
      },
    };
    this.members.push(member);
    return member;
  }

  // A page's checks, and its writes through tx: a member alone in its
  // partition, each message in its partition, and each stream's messages
  // after every earlier one committed (or came earlier in this very page).
  async #handle(name: string, page: readonly RecordedMessage[], partition: number, tx: Tx) {
    const other = this.#inFlight.get(partition);
    if (other !== undefined) {
      this.violations.push(`${name} and ${other} both in partition ${partition}`);
    }
    this.#inFlight.set(partition, name);
    try {
      const committed = new Set(
        this.storage.singleConnection ? [] : await this.probe.read(),
      );
      for (const [i, m] of page.entries()) {
        if (partition !== partitionOf(m.streamName, this.partitions)) {
          this.violations.push(`${m.streamName} in partition ${partition}`);
        }
        this.calls.push(m);
        // Not beside an open transaction on a single connection (PGlite): it would wait forever.
        if (!this.storage.singleConnection) {
          const stream = await this.store.readStream(m.streamName);
          const firstOpen = stream.find((x) => !committed.has(x.id));
          const earlierHere = page.slice(0, i).some((x) => x.id === firstOpen?.id);
          if (firstOpen?.id !== m.id && !earlierHere) {
            this.violations.push(
              `${m.streamName}@${m.streamVersion} handled before @${firstOpen?.streamVersion} committed`,
            );
          }
        }
        await this.probe.write(tx, m.id);
      }
    } finally {
      this.#inFlight.delete(partition);
    }
  }

  async settle(): Promise<void> {
    const total = (await this.store.readCategory("order", { limit: 100_000 }).toArray()).length;
    await until(
      async () => new Set(await this.probe.read()).size >= total,
      "every message to be committed",
      30_000,
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.consumer.stop()));
  }

  /** Per stream, committed exactly once and in version order. */
  async check(): Promise<void> {
    assert.deepEqual(this.violations, []);
    const committed = await this.probe.read();
    assert.equal(new Set(committed).size, committed.length, "nothing committed twice");
    const all = await this.store.readCategory("order", { limit: 100_000 }).toArray();
    assert.deepEqual([...committed].sort(), all.map((m) => m.id).sort(), "every message committed");
    const order = new Map(committed.map((id, i) => [id, i]));
    const byStream = new Map<string, RecordedMessage[]>();
    for (const m of all) byStream.set(m.streamName, [...(byStream.get(m.streamName) ?? []), m]);
    for (const [name, messages] of byStream) {
      const ranks = messages.map((m) => order.get(m.id)!);
      assert.deepEqual(
        ranks,
        [...ranks].sort((a, b) => a - b),
        `${name} committed in version order`,
      );
      const calls = this.calls.filter((m) => m.streamName === name).map((m) => m.streamVersion);
      for (let i = 1; i < calls.length; i++) {
        assert.ok(calls[i] <= calls[i - 1] + 1, `${name} handled in order: ${calls}`);
      }
    }
  }
}

const STREAMS = ["order-a", "order-b", "order-c", "order-d", "order-e", "order-f", "user-1"];

export function testConsumerGroups<Tx>(options: ConsumerContractOptions<Tx>): void {
  const runs = Math.max(3, Math.floor((options.propertyRuns ?? 50) / 5));

  describe("createGroupConsumer()", () => {
    it("splits partitions among members, hands them over as members join, stop and crash, and loses nothing", async () => {
      await withRig(options, async ({ store, storage, probe }) => {
        const cluster = new Cluster(store, storage, probe, 6);
        const append = async (rounds: number) => {
          for (let r = 0; r < rounds; r++) for (const s of STREAMS) await store.append(s, batch(2));
        };
        await append(2);
        const a = cluster.join();
        const b = cluster.join();
        const c = cluster.join();
        await Promise.all([a, b, c].map((m) => m.consumer.caughtUp));
        // A member that saw no other yet may hold all six for a moment (on a loaded machine,
        // or one PGlite connection shared by every member): it hands them over as it sees the rest.
        const shares = () => [a, b, c].map((m) => m.consumer.ownedPartitions().length);
        await until(() => shares().join() === "2,2,2", "every member to own two partitions");
        assert.deepEqual(shares(), [2, 2, 2]);
        await append(2);
        b.crash();
        await append(2);
        await a.consumer.stop();
        const d = cluster.join();
        await append(2);
        await until(
          () => c.consumer.ownedPartitions().length + d.consumer.ownedPartitions().length === 6,
          "the survivors to own every partition",
          30_000,
        );
        await cluster.settle();
        await cluster.stopAll();
        await cluster.check();
      });
    });

    it("refuses a stream source and a bad partition count", async () => {
      await withRig(options, async ({ store, storage }) => {
        const handler = () => {};
        assert.throws(
          () =>
            createGroupConsumer(store, {
              group: "g",
              source: { stream: "order-1" } as never,
              partitions: 2,
              storage,
              handler,
            }),
          /not one stream/,
        );
        assert.throws(
          () =>
            createGroupConsumer(store, {
              group: "g",
              source: { category: "order" },
              partitions: 0,
              storage,
              handler,
            }),
          /options\.partitions/,
        );
      });
    });

    it("property: every message committed once and per-stream order kept while members join (under a new name or one already used), stop and crash, handling messages one by one or in pages", async () => {
      const op = fc.oneof(
        fc.record({ kind: fc.constant("join" as const) }),
        fc.record({ kind: fc.constant("stop" as const), which: fc.nat() }),
        fc.record({ kind: fc.constant("crash" as const), which: fc.nat() }),
        // Another instance under the name of a member live, stopped, crashed or refused.
        {
          arbitrary: fc.record({ kind: fc.constant("same name" as const), which: fc.nat() }),
          weight: 2,
        },
        {
          arbitrary: fc.record({
            kind: fc.constant("append" as const),
            stream: fc.constantFrom(...STREAMS),
            count: fc.integer({ min: 1, max: 4 }),
          }),
          weight: 3,
        },
        fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 40 }) }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 5 }),
          fc.array(op, { minLength: 1, maxLength: 12 }),
          fc.constantFrom<"message" | "page">("message", "page"),
          (partitions, ops, kind) =>
            withRig(options, async ({ store, storage, probe }) => {
              const cluster = new Cluster(store, storage, probe, partitions, kind);
              const running: Member[] = [cluster.join()];
              for (const o of ops) {
                if (o.kind === "join") running.push(cluster.join());
                if (o.kind === "same name") {
                  const { name } = cluster.members[o.which % cluster.members.length];
                  running.push(cluster.join(name));
                }
                if (o.kind === "append") await store.append(o.stream, batch(o.count));
                if (o.kind === "pause") await new Promise((resolve) => setTimeout(resolve, o.ms));
                if ((o.kind === "stop" || o.kind === "crash") && running.length > 0) {
                  const [member] = running.splice(o.which % running.length, 1);
                  if (o.kind === "crash") member.crash();
                  else await member.consumer.stop();
                }
              }
              // A member under a name of its own: those left may all have been refused theirs.
              running.push(cluster.join());
              await cluster.settle();
              await cluster.stopAll();
              await cluster.check();
            }),
        ),
        propertyParameters(runs),
      );
    });
  });
}
