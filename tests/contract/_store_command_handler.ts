// createCommandHandler over the store: the caller's expected version is
// enforced against the stream as it is in this store (a ConcurrencyError,
// nothing appended), and the call's metadata lands on every message it
// appends, as the store reads it back.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConcurrencyError,
  createCommandHandler,
  type Decider,
  type ExpectedVersion,
  ValidationError,
} from "../../mod.ts";
import { snapshot, withStore } from "./_fixtures.ts";
import type { StoreContractOptions } from "./store.ts";

type CartEvent = { type: "ItemAdded"; data: { sku: string } };

/** Adds each sku of the command not in the cart yet, one message per sku. */
const cart: Decider<{ readonly add: readonly string[] }, string[], CartEvent> = {
  initialState: () => [],
  evolve: (items, m) => [...items, m.data.sku],
  decide: (command, items) =>
    command.add.filter((sku) => !items.includes(sku)).map((sku) => ({
      type: "ItemAdded",
      data: { sku },
      // A field a message sets itself wins over the call's.
      ...(sku === "own" ? { metadata: { causationId: "set-by-decide" } } : {}),
    })),
};

export function testStoreCommandHandler(options: StoreContractOptions): void {
  describe("createCommandHandler() over the store", () => {
    it("enforces the caller's expectedVersion: a stale one is a ConcurrencyError, not retried, and appends nothing", async () => {
      await withStore(options, async (store) => {
        const handle = createCommandHandler(store, cart);
        await handle("cart-1", { add: ["a", "b"] }); // versions 0 and 1
        const before = await snapshot(store);
        let reads = 0;
        const counting = new Proxy(store, {
          get: (target, key) => {
            const value = Reflect.get(target, key);
            if (key !== "readStream") {
              return typeof value === "function" ? value.bind(target) : value;
            }
            return (...args: Parameters<typeof target.readStream>) => {
              reads++;
              return target.readStream(...args);
            };
          },
        });
        const stale: [ExpectedVersion, number | undefined][] = [
          [0, 1],
          ["no-stream", 1],
        ];
        for (const [expectedVersion, actual] of stale) {
          await assert.rejects(
            createCommandHandler(counting, cart)("cart-1", { add: ["c"] }, { expectedVersion }),
            (error) =>
              error instanceof ConcurrencyError && error.streamName === "cart-1" &&
              error.expectedVersion === expectedVersion && error.actualVersion === actual,
          );
        }
        await assert.rejects(
          handle("cart-2", { add: ["c"] }, { expectedVersion: "exists" }),
          (error) => error instanceof ConcurrencyError && error.actualVersion === undefined,
        );
        assert.equal(reads, 2, "one read per call: a stale expectation is not retried");
        assert.deepEqual(await snapshot(store), before);
        const fresh = await handle("cart-1", { add: ["c"] }, { expectedVersion: 1 });
        assert.equal(fresh.appended?.streamVersion, 2);
        const created = await handle("cart-2", { add: ["x"] }, { expectedVersion: "no-stream" });
        assert.equal(created.appended?.streamVersion, 0);
      });
    });

    it("puts the call's metadata on every message it appends, under each message's own", async () => {
      await withStore(options, async (store) => {
        const handle = createCommandHandler(store, cart);
        const metadata = { correlationId: "req-7", causationId: "cmd-7", tenant: "acme" };
        const result = await handle("cart-1", { add: ["a", "own", "b"] }, { metadata });
        assert.equal(result.messages.length, 3);
        const stored = await store.readStream("cart-1");
        assert.deepEqual(
          stored.map((m) => [
            m.metadata.correlationId,
            m.metadata.causationId,
            (m.metadata as { tenant?: string }).tenant,
            typeof m.metadata.timestamp,
          ]),
          [
            ["req-7", "cmd-7", "acme", "string"],
            ["req-7", "set-by-decide", "acme", "string"],
            ["req-7", "cmd-7", "acme", "string"],
          ],
        );
      });
    });

    it("refuses a bad expectedVersion or metadata with a ValidationError at the option, before reading", async () => {
      await withStore(options, async (store) => {
        const handle = createCommandHandler(store, cart);
        const refusals: [Record<string, unknown>, string][] = [
          [{ expectedVersion: -1 }, "options.expectedVersion"],
          [{ expectedVersion: 1n }, "options.expectedVersion"],
          [{ expectedVersion: "none" }, "options.expectedVersion"],
          [{ metadata: "req-7" }, "options.metadata"],
          [{ metadata: { correlationId: 7 } }, "options.metadata.correlationId"],
          [{ metadata: { tenant: 1n } }, "options.metadata.tenant"],
          [{ expectedStreamVersion: 0 }, "options.expectedStreamVersion"],
        ];
        for (const [callOptions, path] of refusals) {
          await assert.rejects(
            handle("cart-1", { add: ["a"] }, callOptions as never),
            (error) => error instanceof ValidationError && error.path === path,
            path,
          );
        }
        assert.deepEqual(await store.readStream("cart-1"), []);
      });
    });
  });
}
