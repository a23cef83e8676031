// checkLeaseStore, what users run on a lease store of their own: it passes
// ordo's memory store (and, through the consumer contract, PGlite,
// PostgreSQL and NATS), and fails, naming the case and what to implement, a
// store written before instances (it drops options.instance) and one that
// keeps instances for memberships but not for leases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createGroupConsumer, type LeaseStore } from "../../core/consumers/mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/mod.ts";
import { createMemoryStore, silentLogger, ValidationError } from "../../mod.ts";
import { AssertionError, checkLeaseStore } from "../../testing/mod.ts";

/** A user's lease store over ordo's memory one, with some calls changed. */
class UsersLeaseStore implements LeaseStore {
  readonly #inner = createMemoryConsumerStorage().leases;
  constructor(private readonly drops: { membership: boolean; leases: boolean }) {}
  heartbeat: LeaseStore["heartbeat"] = (group, member, { ttl, instance }) =>
    this.#inner.heartbeat(group, member, {
      ttl,
      instance: this.drops.membership ? undefined : instance,
    });
  leave: LeaseStore["leave"] = (group, member, options) =>
    this.#inner.leave(group, member, this.drops.leases ? undefined : options);
  acquire: LeaseStore["acquire"] = (group, partition, { owner, ttl, instance }) =>
    this.#inner.acquire(group, partition, {
      owner,
      ttl,
      instance: this.drops.leases ? undefined : instance,
    });
  release: LeaseStore["release"] = (lease) => this.#inner.release(lease);
  list: LeaseStore["list"] = (group) => this.#inner.list(group);
}

const fails = async (leases: LeaseStore, pattern: RegExp) => {
  await assert.rejects(checkLeaseStore(leases), (error) => {
    assert.ok(error instanceof AssertionError, `an AssertionError: ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
};

describe("checkLeaseStore()", () => {
  it("passes ordo's memory lease store", async () => {
    await checkLeaseStore(createMemoryConsumerStorage().leases);
  });

  it("fails a store that ignores options.instance, saying what to implement", async () => {
    await fails(
      new UsersLeaseStore({ membership: true, leases: true }),
      /^checkLeaseStore: heartbeat\(\) refuses a live member name to another instance.*ignores options\.instance.*memberNameInUse\(group, member\)/s,
    );
  });

  it("fails a store that keeps instances for memberships but not for leases", async () => {
    await fails(
      new UsersLeaseStore({ membership: false, leases: true }),
      /^checkLeaseStore: acquire\(\) and leave\(\) act only for the instance holding the name: instance i2 of member m was given the lease/,
    );
  });

  it("names the case and keeps the store's error as cause when the store throws", async () => {
    const leases = createMemoryConsumerStorage().leases;
    const broken = new UsersLeaseStore({ membership: false, leases: false });
    broken.list = () => Promise.reject(new Error("connection reset"));
    await assert.rejects(checkLeaseStore(broken), (error) => {
      assert.ok(error instanceof AssertionError);
      assert.match(error.message, /^checkLeaseStore: acquire\(\) gives .*connection reset/);
      assert.equal((error.cause as Error).message, "connection reset");
      return true;
    });
    await checkLeaseStore(leases, { shortTtl: 20, timeout: 2_000 });
  });

  it("a group member started on such a store stops before it takes a partition, naming the store's class", async () => {
    const store = createMemoryStore();
    await store.append("order-1", [{ type: "Placed", data: {} }]);
    const handled: string[] = [];
    const leases = new UsersLeaseStore({ membership: true, leases: true });
    const member = createGroupConsumer(store, {
      group: "shipping",
      source: { category: "order" },
      partitions: 2,
      storage: { ...createMemoryConsumerStorage(), leases },
      logger: silentLogger,
      handler: (message) => void handled.push(message.id),
    });
    await assert.rejects(member.done, (error) => {
      assert.ok(error instanceof ValidationError);
      assert.match(
        error.message,
        /^Invalid options\.storage\.leases \(UsersLeaseStore\): the lease store accepted a heartbeat from another instance/,
      );
      return true;
    });
    assert.deepEqual(handled, []);
    assert.deepEqual(await leases.list("shipping"), []);
  });
});
