// Closed means closed: after close(), every call of a store rejects with
// ClosedError (never the retryable StoreUnavailableError) and writes nothing;
// close() is idempotent and waits for the calls in flight.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ClosedError, type EventStore, type ExpectedVersion } from "../../mod.ts";
import { message, messages, snapshot } from "./_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";
import type { StoreContractOptions } from "./store.ts";

/** One call a caller might make on a closed store (bad input too: the store is closed first). */
type StoreCall = (store: EventStore) => Promise<unknown>;

const STREAMS = ["order-1", "order-2", "user-9"];

const storeCall: fc.Arbitrary<[string, StoreCall]> = fc.oneof(
  fc.tuple(
    fc.constantFrom(...STREAMS),
    fc.integer({ min: 1, max: 3 }),
    fc.constantFrom<ExpectedVersion | undefined>(undefined, "any", "no-stream", 0),
  )
    .map(([stream, count, expectedVersion]): [string, StoreCall] => [
      `append ${count} to ${stream}`,
      (store) =>
        store.append(
          stream,
          messages(count),
          expectedVersion === undefined ? undefined : { expectedVersion },
        ),
    ]),
  fc.constant<[string, StoreCall]>(["append bad input", (store) => store.append("", [])]),
  fc.constantFrom(...STREAMS).map((stream): [string, StoreCall] => [
    `readStream ${stream}`,
    (store) => store.readStream(stream),
  ]),
  fc.constant<[string, StoreCall]>([
    "readAll",
    (store) => store.readAll({ limit: 10 }).toArray(),
  ]),
  fc.constant<[string, StoreCall]>([
    "readCategory",
    (store) => store.readCategory("order").toArray(),
  ]),
  fc.constant<[string, StoreCall]>(["readPage", (store) => store.readPage({ limit: 10 })]),
  fc.constant<[string, StoreCall]>(["getStreamInfo", (store) => store.getStreamInfo("order-1")]),
  fc.constant<[string, StoreCall]>(["headPosition", (store) => store.headPosition()]),
  fc.constant<[string, StoreCall]>([
    "waitForAppend",
    (store) => store.waitForAppend(0n, { timeout: 5 }),
  ]),
  fc.constant<[string, StoreCall]>(["close", (store) => store.close()]),
);

export function testStoreClosed(options: StoreContractOptions): void {
  describe("close()", () => {
    it("resolves pending waits false and refuses later work with ClosedError", async () => {
      const store = await options.create();
      const waiting = store.waitForAppend(0n);
      await store.close();
      assert.equal(await waiting, false);
      await assert.rejects(
        store.append("order-1", messages(1)),
        (error) =>
          error instanceof ClosedError && error.component === "store" &&
          error.operation === "append",
      );
    });

    it("waits for the calls in flight, and a second close() waits for the first", async () => {
      const store = await options.create();
      const appending = store.append("order-1", messages(2));
      const reading = store.readPage();
      const first = store.close();
      const second = store.close();
      await second;
      // Both calls were in flight when close() was called: they finished, and close() waited.
      assert.equal((await appending).streamVersion, 1);
      assert.ok(Array.isArray((await reading).messages));
      await first;
    });

    it("after close(), any sequence of calls rejects with ClosedError and writes nothing (property)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(storeCall, { minLength: 1, maxLength: 10 }), async (calls) => {
          const store = await options.create();
          await store.append("order-1", [message()]);
          const before = await snapshot(store);
          await store.close();
          for (const [name, call] of calls) {
            if (name === "close") {
              await call(store); // idempotent: resolves again
              continue;
            }
            await assert.rejects(call(store), ClosedError, name);
          }
          if (options.reopen !== undefined) {
            const again = await options.reopen();
            try {
              assert.deepEqual(await snapshot(again), before, "a closed store wrote nothing");
            } finally {
              await again.close();
            }
          }
        }),
        propertyParameters(Math.max(5, Math.floor((options.propertyRuns ?? 100) / 4))),
      );
    });
  });
}
