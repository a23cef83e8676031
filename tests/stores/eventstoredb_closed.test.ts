// Closed means closed, for the EventStoreDB store too, without a server: over
// a client that counts its calls and answers like an empty server, every call
// after close() rejects with ClosedError and reaches the client not at all.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ClosedError, type EventStore, silentLogger } from "../../mod.ts";
import { createEventStoreDbStore, type EventStoreDbClient } from "../../stores/eventstoredb/mod.ts";
import { messages } from "../contract/_fixtures.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

/** A client answering like an empty server, counting the calls that reach it. */
function countingClient(): { client: EventStoreDbClient; calls: string[] } {
  const calls: string[] = [];
  const empty = (name: string) => {
    calls.push(name);
    return (async function* () {})();
  };
  const client: EventStoreDbClient = {
    appendToStream: (stream, events) => {
      calls.push(`appendToStream ${stream}`);
      return Promise.resolve({ nextExpectedRevision: BigInt([events].flat().length - 1) });
    },
    readStream: (stream) => empty(`readStream ${stream}`),
    readAll: () => empty("readAll"),
    subscribeToAll: () => {
      calls.push("subscribeToAll");
      return { on: () => undefined, unsubscribe: () => Promise.resolve() };
    },
  };
  return { client, calls };
}

type Call = [string, (store: EventStore) => Promise<unknown>];

const call: fc.Arbitrary<Call> = fc.constantFrom<Call>(
  ["append", (store) => store.append("order-1", messages(2))],
  ["readStream", (store) => store.readStream("order-1")],
  ["readAll", (store) => store.readAll().toArray()],
  ["readCategory", (store) => store.readCategory("order").toArray()],
  ["readPage", (store) => store.readPage()],
  ["getStreamInfo", (store) => store.getStreamInfo("order-1")],
  ["headPosition", (store) => store.headPosition()],
  ["waitForAppend", (store) => store.waitForAppend(0n, { timeout: 5 })],
  ["close", (store) => store.close()],
);

describe("EventStoreDB store: close()", () => {
  it("after close(), any sequence of calls rejects with ClosedError and reaches the client not at all (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 10 }), async (sequence) => {
        const { client, calls } = countingClient();
        const store = createEventStoreDbStore(client, {
          unsupportedRuntime: "allow",
          logger: silentLogger,
        });
        await store.headPosition();
        await store.close();
        const before = calls.length;
        for (const [name, run] of sequence) {
          if (name === "close") await run(store);
          else await assert.rejects(run(store), ClosedError, name);
        }
        assert.deepEqual(calls.slice(before), [], "the closed store called its client");
      }),
      propertyParameters(50),
    );
  });

  it("close() waits for a read in flight", async () => {
    const { client } = countingClient();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: EventStoreDbClient = {
      ...client,
      readAll: () =>
        (async function* () {
          await gate;
          yield* [];
        })(),
    };
    const store = createEventStoreDbStore(slow, { unsupportedRuntime: "allow" });
    const reading = store.readPage();
    let closed = false;
    const closing = store.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(closed, false, "close() resolved with a read in flight");
    release();
    await reading;
    await closing;
  });
});
