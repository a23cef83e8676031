/**
 * Checks a `LeaseStore` against the contract consumer groups rely on, the
 * one every lease store in ordo passes: one holder per partition, tokens that
 * grow with each new holder, memberships that expire, and one running
 * instance per member name (docs/decisions/consumers.md). For a lease store
 * of your own: a store that ignores the `instance` option fails it, and a
 * consumer group on it would handle messages twice when two processes share
 * a member name (ordo's group members refuse such a store when they start).
 *
 * @module
 */

import { isMemberNameInUse, type Lease, type LeaseStore } from "../core/mod.ts";
import { AssertionError } from "./assertion_error.ts";

/** Options of {@link checkLeaseStore}. */
export interface CheckLeaseStoreOptions {
  /** The short lease and membership lifetime the expiry cases use, in ms; default 50. */
  readonly shortTtl?: number;
  /** How long an expiry case waits for the store to expire a lease or a membership, in ms; default 10,000. */
  readonly timeout?: number;
}

type Case = (leases: LeaseStore, group: string, wait: Waiter) => Promise<void>;
type Waiter = (what: string, done: () => Promise<boolean>) => Promise<void>;

/**
 * Runs every case against `leases`, each under a group of its own
 * (`ordo-check-<uuid>`), so a store holding other groups can be checked; the
 * members each case adds leave at its end. Resolves when all pass.
 *
 * @throws {AssertionError} at the first case that fails, naming it and saying what the store did; an error the store threw is its `cause`
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../stores/memory/mod.ts";
 * import { checkLeaseStore } from "./check_lease_store.ts";
 * await checkLeaseStore(createMemoryConsumerStorage().leases);
 * console.log("the lease store keeps the contract"); // the lease store keeps the contract
 * ```
 */
export async function checkLeaseStore(
  leases: LeaseStore,
  options: CheckLeaseStoreOptions = {},
): Promise<void> {
  const shortTtl = options.shortTtl ?? 50;
  const timeout = options.timeout ?? 10_000;
  for (const [name, run] of cases(shortTtl)) {
    const group = `ordo-check-${crypto.randomUUID()}`;
    const wait: Waiter = async (what, done) => {
      const end = Date.now() + timeout;
      while (!(await done())) {
        if (Date.now() > end) fail(name, `${what} did not happen within ${timeout} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      await run(leases, group, wait);
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      throw new AssertionError(
        `checkLeaseStore: ${name}: the store threw ${String(error)}`,
        "no error",
        error,
        { cause: error },
      );
    }
  }
}

function fail(name: string, what: string, expected?: unknown, actual?: unknown): never {
  throw new AssertionError(`checkLeaseStore: ${name}: ${what}`, expected, actual);
}

/** Fails case `name` unless `expected` and `actual` print the same as JSON. */
function same(name: string, what: string, expected: unknown, actual: unknown): void {
  const show = (v: unknown) =>
    JSON.stringify(v, (_, x) => typeof x === "bigint" ? `${x}n` : x) ?? String(v);
  if (show(expected) !== show(actual)) {
    fail(name, `${what}: expected ${show(expected)}, got ${show(actual)}`, expected, actual);
  }
}

/** The error `promise` rejected with, or `undefined` when it resolved. */
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

const LONG = 60_000;

function cases(shortTtl: number): [string, Case][] {
  const ONE_HOLDER = "acquire() gives a partition to one owner at a time; renewing keeps the token";
  const EXPIRED = "acquire() takes over an expired lease with a higher token";
  const MEMBERS = "heartbeat() lists live members; leave() removes one and frees its leases";
  const NAME = "heartbeat() refuses a live member name to another instance (options.instance)";
  const LEASE = "acquire() and leave() act only for the instance holding the name";
  const RESTART = "a new instance takes an expired name and lease, the lease under a higher token";
  return [
    [ONE_HOLDER, async (leases, g) => {
      const a = await leases.acquire(g, 0, { owner: "a", ttl: LONG });
      if (a === undefined) fail(ONE_HOLDER, "a free partition was not given");
      same(
        ONE_HOLDER,
        "a second owner's acquire",
        undefined,
        await leases.acquire(g, 0, {
          owner: "b",
          ttl: LONG,
        }),
      );
      const renewed = await leases.acquire(g, 0, { owner: "a", ttl: LONG });
      same(ONE_HOLDER, "the renewed lease's token", a.token, renewed?.token);
      if (await leases.acquire(g, 1, { owner: "b", ttl: LONG }) === undefined) {
        fail(ONE_HOLDER, "another partition was not given to another owner");
      }
      same(
        ONE_HOLDER,
        "list() by partition",
        [[0, "a"], [1, "b"]],
        (await leases.list(g)).map((
          l,
        ) => [l.partition, l.owner]),
      );
      await leaveAll(leases, g, ["a", "b"]);
    }],
    [EXPIRED, async (leases, g, wait) => {
      const a = await leases.acquire(g, 0, { owner: "a", ttl: shortTtl });
      if (a === undefined) fail(EXPIRED, "a free partition was not given");
      let b: Lease | undefined;
      await wait(
        "another owner's acquire after the lease expired",
        async () => (b = await leases.acquire(g, 0, { owner: "b", ttl: LONG })) !== undefined,
      );
      if (!(b!.token > a.token)) {
        fail(EXPIRED, `the new holder's token ${b!.token} is not above ${a.token}`);
      }
      await leaveAll(leases, g, ["a", "b"]);
    }],
    [MEMBERS, async (leases, g, wait) => {
      same(MEMBERS, "the first heartbeat", ["b"], await leases.heartbeat(g, "b", { ttl: LONG }));
      same(
        MEMBERS,
        "a second member's heartbeat",
        ["a", "b"],
        await leases.heartbeat(g, "a", {
          ttl: LONG,
        }),
      );
      await leases.acquire(g, 0, { owner: "b", ttl: LONG });
      await leases.leave(g, "b");
      same(
        MEMBERS,
        "the members after b left",
        ["a"],
        await leases.heartbeat(g, "a", {
          ttl: LONG,
        }),
      );
      if (await leases.acquire(g, 0, { owner: "a", ttl: LONG }) === undefined) {
        fail(MEMBERS, "the lease of a member that left was not freed");
      }
      await leases.heartbeat(g, "c", { ttl: shortTtl });
      await wait(
        "a member's expiry",
        async () => !(await leases.heartbeat(g, "a", { ttl: LONG })).includes("c"),
      );
      await leaveAll(leases, g, ["a"]);
    }],
    [NAME, async (leases, g) => {
      same(
        NAME,
        "i1's heartbeat as m",
        ["m"],
        await leases.heartbeat(g, "m", {
          ttl: LONG,
          instance: "i1",
        }),
      );
      const refused = await rejection(leases.heartbeat(g, "m", { ttl: LONG, instance: "i2" }));
      if (refused === undefined) {
        fail(
          NAME,
          "a heartbeat of instance i2 as member m was accepted while instance i1 held m: the store ignores options.instance. Keep the instance with the membership and throw memberNameInUse(group, member) (ordo's ValidationError at member) while another instance's membership under the name is unexpired, writing nothing",
          "ValidationError at member",
          "accepted",
        );
      }
      if (!isMemberNameInUse(refused)) {
        fail(
          NAME,
          `i2 was refused with ${
            String(refused)
          }, not memberNameInUse(group, member) (a ValidationError at member)`,
          "ValidationError at member",
          refused,
        );
      }
      same(
        NAME,
        "i1 renewing m",
        ["m"],
        await leases.heartbeat(g, "m", {
          ttl: LONG,
          instance: "i1",
        }),
      );
      await leases.leave(g, "m", { instance: "i1" });
    }],
    [LEASE, async (leases, g) => {
      await leases.heartbeat(g, "m", { ttl: LONG, instance: "i1" });
      const held = await leases.acquire(g, 0, { owner: "m", instance: "i1", ttl: LONG });
      if (held === undefined) fail(LEASE, "a free partition was not given to m (instance i1)");
      const other = await leases.acquire(g, 0, { owner: "m", instance: "i2", ttl: LONG });
      if (other !== undefined) {
        fail(
          LEASE,
          "instance i2 of member m was given the lease instance i1 of m holds: keep the instance with each lease, and give it only to the holding instance until it expires",
          undefined,
          other,
        );
      }
      const renewed = await leases.acquire(g, 0, { owner: "m", instance: "i1", ttl: LONG });
      same(LEASE, "i1 renewing its lease: the token", held.token, renewed?.token);
      await leases.leave(g, "m", { instance: "i2" });
      same(
        LEASE,
        "the leases after instance i2 of m left",
        [["m", `${held.token}`]],
        (await leases
          .list(g)).map((l) => [l.owner, `${l.token}`]),
      );
      const still = await rejection(leases.heartbeat(g, "m", { ttl: LONG, instance: "i2" }));
      if (!isMemberNameInUse(still)) {
        fail(LEASE, "i2 leaving removed i1's membership of m: leave only the caller's instance");
      }
      await leases.leave(g, "m", { instance: "i1" });
      same(LEASE, "the leases after instance i1 left", [], await leases.list(g));
      same(
        LEASE,
        "i2's heartbeat once i1 left",
        ["m"],
        await leases.heartbeat(g, "m", {
          ttl: LONG,
          instance: "i2",
        }),
      );
      await leases.leave(g, "m", { instance: "i2" });
    }],
    [RESTART, async (leases, g, wait) => {
      await leases.heartbeat(g, "m", { ttl: shortTtl, instance: "old" });
      const old = await leases.acquire(g, 0, { owner: "m", instance: "old", ttl: shortTtl });
      if (old === undefined) fail(RESTART, "a free partition was not given");
      await wait("the old instance's membership to expire", async () => {
        const error = await rejection(leases.heartbeat(g, "m", { ttl: LONG, instance: "new" }));
        if (error !== undefined && !isMemberNameInUse(error)) throw error;
        return error === undefined;
      });
      let lease: Lease | undefined;
      await wait(
        "the old instance's lease to expire",
        async () =>
          (lease = await leases.acquire(g, 0, { owner: "m", instance: "new", ttl: LONG })) !==
            undefined,
      );
      if (!(lease!.token > old.token)) {
        fail(RESTART, `the new instance's token ${lease!.token} is not above ${old.token}`);
      }
      const stale = await leases.acquire(g, 0, { owner: "m", instance: "old", ttl: LONG });
      if (stale !== undefined) fail(RESTART, "the old instance took the lease back");
      await leases.leave(g, "m", { instance: "new" });
    }],
  ];
}

async function leaveAll(leases: LeaseStore, group: string, members: string[]): Promise<void> {
  for (const member of members) await leases.leave(group, member);
}
