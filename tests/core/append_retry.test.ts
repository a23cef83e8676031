import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DuplicateMessageError,
  resolveAppendRetry,
  type StoredPosition,
  validateMessages,
} from "../../core/mod.ts";

const batch = validateMessages([{ type: "A", data: {} }, { type: "B", data: {} }]);
const at = (streamName: string, streamVersion: number): StoredPosition => ({
  streamName,
  streamVersion,
  globalPosition: BigInt(streamVersion + 10),
});

describe("resolveAppendRetry()", () => {
  it("treats a batch with no stored id as new", () => {
    assert.equal(resolveAppendRetry("order-1", batch, [undefined, undefined]), undefined);
  });

  it("returns the original positions when every id is stored in order in this stream", () => {
    const result = resolveAppendRetry("order-1", batch, [at("order-1", 4), at("order-1", 5)]);
    assert.deepEqual(result, {
      streamName: "order-1",
      streamVersion: 5,
      globalPosition: 15n,
      positions: [
        { id: batch[0].id, streamVersion: 4, globalPosition: 14n },
        { id: batch[1].id, streamVersion: 5, globalPosition: 15n },
      ],
      deduplicated: true,
    });
  });

  it("refuses a partial match, another stream, or another order", () => {
    const refused = [
      [undefined, at("order-1", 5)],
      [at("order-1", 4), undefined],
      [at("order-2", 4), at("order-2", 5)],
      [at("order-1", 5), at("order-1", 4)],
      [at("order-1", 4), at("order-1", 6)],
    ];
    for (const stored of refused) {
      assert.throws(() => resolveAppendRetry("order-1", batch, stored), DuplicateMessageError);
    }
  });
});
