// A consumer's `source.types` filter is checked when the consumer is created,
// as every other option is: a filter the store would refuse must not start a
// consumer that then stops with an error only the log shows, and a filter on a
// stream source (which no store applies) must not be ignored, delivering every
// type to a handler written for one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ConsumerSource,
  createConsumer,
  createGroupConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  rebuildProjection,
  silentLogger,
  ValidationError,
} from "../../mod.ts";

const store = createMemoryStore();
const handler = () => {};

/** Asserts that `create` throws `path`'s ValidationError; a consumer it made anyway is stopped. */
async function refusedAtCreation(
  create: () => { stop(): Promise<void> },
  path: string,
  reason: RegExp,
): Promise<void> {
  let made: { stop(): Promise<void> } | undefined;
  try {
    made = create();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.path, path);
    assert.match(error.reason, reason);
    return;
  }
  await made.stop().catch(() => {});
  assert.fail(`created a consumer instead of refusing ${path}`);
}

describe("a consumer's source.types", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["a string", { all: true, types: "A" }, "options.source.types", /non-empty array/],
    ["an empty array", { category: "order", types: [] }, "options.source.types", /non-empty/],
    [
      "an empty name",
      { category: "order", types: ["A", ""] },
      "options.source.types[1]",
      /non-empty string/,
    ],
    [
      "on a stream",
      { stream: "order-1", types: ["A"] },
      "options.source.types",
      /every message of its stream/,
    ],
  ];
  for (const [what, source, path, reason] of cases) {
    it(`refuses ${what} when created, naming ${path}`, async () => {
      const options = {
        group: "g",
        source: source as ConsumerSource,
        handler,
        logger: silentLogger,
      };
      await refusedAtCreation(
        () => createConsumer(store, { ...options, storage: createMemoryConsumerStorage() }),
        path,
        reason,
      );
      await refusedAtCreation(
        () =>
          createGroupConsumer(store, {
            ...options,
            storage: createMemoryConsumerStorage(),
            partitions: 2,
          } as never),
        path,
        reason,
      );
      await assert.rejects(
        rebuildProjection(store, { ...options, storage: createMemoryConsumerStorage() }),
        (error) => error instanceof ValidationError && error.path === path,
      );
    });
  }

  it("still filters a category by type", async () => {
    const filtered = createMemoryStore();
    await filtered.append("order-1", [{ type: "A", data: {} }, { type: "B", data: {} }]);
    const seen: string[] = [];
    const consumer = createConsumer(filtered, {
      group: "g",
      source: { category: "order", types: ["B"] },
      storage: createMemoryConsumerStorage(),
      handler: (message) => void seen.push(message.type),
    });
    await consumer.caughtUp;
    await consumer.stop();
    assert.deepEqual(seen, ["B"]);
  });
});
