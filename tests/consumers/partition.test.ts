import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  checkPartitions,
  createGroupConsumer,
  partitionOf,
  streamHash,
} from "../../core/consumers/mod.ts";
import { createMemoryStore, ValidationError } from "../../mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

describe("partitionOf()", () => {
  it("is a fixed function of the name: these values hold on every runtime and in every process", () => {
    // FNV-1a 32 of the UTF-8 bytes; a change here would move every stream to another partition.
    assert.equal(streamHash(""), 0x811c9dc5);
    assert.equal(streamHash("a"), 0xe40c292c);
    assert.equal(streamHash("order-1"), streamHash("order-1"));
    assert.deepEqual(
      ["order-1", "order-2", "user-ü"].map((s) => partitionOf(s, 16)),
      ["order-1", "order-2", "user-ü"].map((s) => streamHash(s) % 16),
    );
  });

  it("always lands in range", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 4096 }), (name, partitions) => {
        const p = partitionOf(name, partitions);
        assert.ok(Number.isInteger(p) && p >= 0 && p < partitions);
      }),
      propertyParameters(200),
    );
  });

  it("spreads many streams over the partitions", () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionOf(`order-${i}`, 8)]++;
    for (const count of counts) assert.ok(count > 700 && count < 1300, `${counts}`);
  });

  it("checkPartitions() refuses counts out of range", () => {
    for (const bad of [0, -1, 1.5, 5000, "4"]) {
      assert.throws(() => checkPartitions(bad), ValidationError);
    }
  });

  it("createGroupConsumer() without partitions says what they are, that members agree on them, and a value", () => {
    assert.throws(
      () =>
        createGroupConsumer(
          createMemoryStore(),
          {
            group: "shipping",
            source: { category: "order" },
            storage: createMemoryConsumerStorage(),
            handler: () => {},
          } as unknown as Parameters<typeof createGroupConsumer>[1],
        ),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.path, "options.partitions");
        assert.match(error.message, /from 1 to 4096/);
        assert.match(error.message, /split into \(by a hash of the stream name\)/);
        assert.match(error.message, /Every member of the group must use the same number/);
        assert.match(error.message, /8 suits most groups/);
        return true;
      },
    );
  });
});
