// Two running instances under one member name (every replica given the same
// configured name, a container's hostname): the lease store tells them apart
// by their instance, so the second is refused while the first lives, a
// crashed member's restart gets its name back once the old membership
// expires, and a member that finds its name taken after a pause stands down.
// docs/decisions/consumers.md, "One running instance per member name".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ConsumerStorage,
  createGroupConsumer,
  type LeaseStore,
  partitionOf,
} from "../../core/consumers/mod.ts";
import { type EventStore, ValidationError } from "../../mod.ts";
import type { ConsumerContractOptions } from "./consumer.ts";
import { keptLogger } from "../_kept_logger.ts";
import { batch, NO_DELAY, type Rig, until, withRig } from "./_consumer_fixtures.ts";

const TTL = 300;
const STREAMS = ["order-a", "order-b", "order-c", "order-d", "order-e"];

/** Handler calls of every instance, and any message handled by two at once or twice. */
class Ledger {
  readonly handled = new Map<string, string[]>();
  readonly overlaps: string[] = [];
  readonly #inFlight = new Map<string, string>();

  async handle(instance: string, id: string, ms: number): Promise<void> {
    const other = this.#inFlight.get(id);
    if (other !== undefined) this.overlaps.push(`${id} by ${other} and ${instance} at once`);
    this.#inFlight.set(id, instance);
    this.handled.set(id, [...(this.handled.get(id) ?? []), instance]);
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.#inFlight.delete(id);
  }

  twice(): string[] {
    return [...this.handled].filter(([, by]) => by.length > 1).map(([id, by]) =>
      `${id}: ${by.join(", ")}`
    );
  }
}

/** One instance named `name` in group "g"; `label` tells it apart in the ledger. */
function start<Tx>(
  store: EventStore,
  storage: ConsumerStorage<Tx>,
  ledger: Ledger,
  label: string,
  name = "same",
  extra: { leases?: LeaseStore; signal?: AbortSignal; controlInterval?: number } = {},
) {
  const logger = keptLogger();
  const consumer = createGroupConsumer<Tx>(store, {
    group: "g",
    member: name,
    source: { category: "order" },
    partitions: 3,
    // Its own storage object, as another process has: two instances under one name on one
    // storage object in one process are refused at once (tests/consumers/running_groups.test.ts),
    // before the lease store, which these tests are about, could say anything.
    storage: { ...storage, ...(extra.leases === undefined ? {} : { leases: extra.leases }) },
    leaseTtl: TTL,
    heartbeatInterval: 30,
    // Announced once, at start: a withdrawal by the wrong instance would show.
    controlInterval: extra.controlInterval ?? 60_000,
    retry: { maxAttempts: 1_000, ...NO_DELAY },
    logger,
    signal: extra.signal,
    handler: (message) => ledger.handle(label, message.id, 3),
  });
  const outcome = consumer.done.then(() => "stopped", (error: unknown) => error);
  return { consumer, logger, outcome };
}

/** `leases` with some methods replaced (its own are bound: a store may keep private fields). */
function leasesWith(leases: LeaseStore, overrides: Partial<LeaseStore>): LeaseStore {
  return {
    heartbeat: (...args) => leases.heartbeat(...args),
    leave: (...args) => leases.leave(...args),
    acquire: (...args) => leases.acquire(...args),
    release: (...args) => leases.release(...args),
    list: (...args) => leases.list(...args),
    ...overrides,
  };
}

async function appendAll(store: EventStore, rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) for (const s of STREAMS) await store.append(s, batch(2));
}

async function handledAll(store: EventStore, ledger: Ledger): Promise<void> {
  const all = await store.readCategory("order", { limit: 100_000 }).toArray();
  await until(() => all.every((m) => ledger.handled.has(m.id)), "every message to be handled");
}

/** `promise`'s outcome as soon as it settled, else "running". */
async function settled(outcome: Promise<unknown>): Promise<unknown> {
  return await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 0, "running"))]);
}

/** Resolves what `consumer.done` rejected with, failing after `timeout` ms if it keeps running. */
async function refusal(run: { outcome: Promise<unknown> }, what: string, timeout = 20_000) {
  let result: unknown = "running";
  await until(async () => (result = await settled(run.outcome)) !== "running", what, timeout);
  return result;
}

export function testMemberNames<Tx>(options: ConsumerContractOptions<Tx>): void {
  const test = (name: string, body: (rig: Rig<Tx>) => Promise<void>) =>
    it(name, () => withRig(options, body));

  describe("one running instance per member name", () => {
    // The lease store's own part (refusal, leases and leave by instance, expiry)
    // is checkLeaseStore's, run on every storage in _consumer_storage.ts.

    test("a member refuses a lease store that ignores instances, before it owns a partition", async ({ store, storage }) => {
      const ledger = new Ledger();
      await appendAll(store, 1);
      const { leases } = storage;
      // A user's store written before instances: options.instance never reaches the rows.
      const ignoring = leasesWith(leases, {
        heartbeat: (group, member, { ttl }) => leases.heartbeat(group, member, { ttl }),
        acquire: (group, partition, { owner, ttl }) =>
          leases.acquire(group, partition, { owner, ttl }),
        leave: (group, member) => leases.leave(group, member),
      });
      const run = start(store, storage, ledger, "first", "same", { leases: ignoring });
      const error = await refusal(run, "the member to refuse the lease store");
      assert.ok(error instanceof ValidationError, `refused with a ValidationError: ${error}`);
      assert.equal(error.path, "options.storage.leases");
      assert.match(error.message, /ignores the instance option/);
      assert.match(error.message, /memberNameInUse.*checkLeaseStore from ordo\/testing/);
      assert.ok(
        run.logger.lines.includes("error: Consumer stopped: retrying cannot fix this error"),
        run.logger.lines.join("\n"),
      );
      assert.equal(ledger.handled.size, 0, "nothing handled");
      assert.deepEqual(await leases.list("g"), [], "no partition taken");
    });

    test("a member waiting for its name takes no replay request; the instance holding the name does", async ({ store, storage }) => {
      const control = storage.control;
      assert.ok(control, "every storage in ordo keeps a control store");
      const ledger = new Ledger();
      await appendAll(store, 1);
      const [message] = await store.readCategory("order", { limit: 1 }).toArray();
      const partition = partitionOf(message.streamName, 3);
      // The holder announces and takes requests once, at start (controlInterval 60 s).
      const first = start(store, storage, ledger, "first");
      await first.consumer.caughtUp;
      await storage.parked.park({
        group: "g",
        partition,
        message,
        error: { name: "Error", message: "parked by the test" },
        attempts: 1,
        parkedAt: new Date().toISOString(),
      });
      await control.requestReplay("g", message.id);
      const handledBefore = ledger.handled.get(message.id)?.length ?? 0;
      // Refused its name, the second looks for requests every 10 ms until it gives up.
      const second = start(store, storage, ledger, "second", "same", { controlInterval: 10 });
      const error = await refusal(second, "the second instance to be refused", 10 * TTL + 5_000);
      assert.ok(error instanceof ValidationError, `refused with a ValidationError: ${error}`);
      assert.deepEqual(
        (await control.pendingReplays("g")).map((r) => r.messageId),
        [message.id],
        "the request is left for the instance holding the name",
      );
      assert.equal(ledger.handled.get(message.id)?.length ?? 0, handledBefore);
      assert.ok(await storage.parked.get("g", message.id), "still parked");
      await first.consumer.stop();
      const third = start(store, storage, ledger, "third", "same", { controlInterval: 10 });
      await until(
        async () => (await storage.parked.get("g", message.id)) === undefined,
        "the holding instance to replay it",
      );
      await third.consumer.stop();
      assert.equal(ledger.handled.get(message.id)?.at(-1), "third");
      assert.deepEqual(await control.pendingReplays("g"), []);
    });

    test("a second member started with a name live in the group is refused, says so, and nothing is handled twice", async ({ store, storage }) => {
      const ledger = new Ledger();
      await appendAll(store, 2);
      const first = start(store, storage, ledger, "first");
      await first.consumer.caughtUp;
      const second = start(store, storage, ledger, "second");
      await appendAll(store, 3);
      const error = await refusal(second, "the second instance to be refused", 10 * TTL + 5_000);
      assert.ok(error instanceof ValidationError, `refused with a ValidationError: ${error}`);
      assert.equal(error.path, "options.member");
      assert.match(error.message, /"same"/);
      assert.match(error.message, /another running instance/);
      assert.match(error.message, /unique name.*leave options\.member unset/);
      assert.ok(
        second.logger.lines.some((line) => line.startsWith("warn: Member name in use")),
        second.logger.lines.join("\n"),
      );
      assert.ok(
        second.logger.lines.includes("error: Consumer stopped: retrying cannot fix this error"),
        second.logger.lines.join("\n"),
      );
      if (storage.control !== undefined) {
        assert.deepEqual(
          (await storage.control.running()).map((c) => [c.group, c.instance]),
          [["g", "same"]],
          "the refused instance withdrew nothing: the running one is still listed",
        );
      }
      await appendAll(store, 2);
      await handledAll(store, ledger);
      assert.equal(await settled(first.outcome), "running", "the first instance keeps running");
      await first.consumer.stop();
      assert.deepEqual(ledger.overlaps, []);
      assert.deepEqual(ledger.twice(), [], "no message handled twice");
      assert.ok(![...ledger.handled.values()].flat().includes("second"), "the second handled none");
    });

    test("a crashed member restarted under its name takes over once its membership expires", async ({ store, storage }) => {
      const ledger = new Ledger();
      await appendAll(store, 2);
      const controller = new AbortController();
      // A crash gives nothing back: the lease store never hears it leave.
      const crashed = leasesWith(storage.leases, {
        release: async () => {},
        leave: async () => {},
      });
      const first = start(store, storage, ledger, "first", "same", {
        leases: crashed,
        signal: controller.signal,
      });
      await first.consumer.caughtUp;
      controller.abort();
      await first.outcome;
      const restarted = start(store, storage, ledger, "restarted");
      await appendAll(store, 2);
      await restarted.consumer.caughtUp;
      await handledAll(store, ledger);
      assert.equal(await settled(restarted.outcome), "running");
      assert.deepEqual(restarted.consumer.ownedPartitions(), [0, 1, 2]);
      await restarted.consumer.stop();
      assert.deepEqual(ledger.overlaps, []);
      assert.deepEqual(ledger.twice(), []);
    });

    test("a member that finds its name taken after a pause past its lease stands down, logged", async ({ store, storage }) => {
      const ledger = new Ledger();
      await appendAll(store, 2);
      // The first instance's heartbeats stall (a pause: GC, a stopped VM) until `resume`.
      let resume!: () => void;
      const stall: { until?: Promise<void> } = {};
      const pausing = leasesWith(storage.leases, {
        heartbeat: async (...args) => {
          await stall.until;
          return await storage.leases.heartbeat(...args);
        },
        acquire: async (...args) => {
          await stall.until;
          return await storage.leases.acquire(...args);
        },
      });
      const first = start(store, storage, ledger, "first", "same", { leases: pausing });
      await first.consumer.caughtUp;
      stall.until = new Promise((resolve) => (resume = resolve));
      const second = start(store, storage, ledger, "second");
      await second.consumer.caughtUp;
      resume();
      const error = await refusal(first, "the paused instance to stand down");
      assert.ok(error instanceof ValidationError, `stood down with a ValidationError: ${error}`);
      assert.match(error.message, /"same".*another running instance.*stands down/);
      assert.ok(
        first.logger.lines.includes("error: Consumer stopped: retrying cannot fix this error"),
        first.logger.lines.join("\n"),
      );
      await appendAll(store, 2);
      await handledAll(store, ledger);
      assert.equal(
        await settled(second.outcome),
        "running",
        "the instance holding the name runs on",
      );
      assert.deepEqual(second.consumer.ownedPartitions(), [0, 1, 2]);
      await second.consumer.stop();
      assert.deepEqual(ledger.overlaps, []);
      assert.deepEqual(ledger.twice(), []);
    });
  });
}
