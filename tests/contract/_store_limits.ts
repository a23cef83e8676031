// Size limits: a message as large as the store takes is stored whole, and a
// store whose appends have a size limit of their own (capability
// maxAppendBytes) refuses a larger append whole, before writing anything.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_MAX_MESSAGE_SIZE, ValidationError } from "../../core/mod.ts";
import { message, snapshot, withStore } from "./_fixtures.ts";
import type { StoreContractOptions } from "./store.ts";

export function testStoreLimits(options: StoreContractOptions): void {
  const limit = options.capabilities?.maxAppendBytes;
  // Room for the message's id, type, metadata and the store's own framing.
  const largest = Math.min(DEFAULT_MAX_MESSAGE_SIZE, limit ?? Infinity) - 2048;

  describe("size limits", () => {
    it(`append() stores a message of ${largest} bytes whole`, async () => {
      await withStore(options, async (store) => {
        const text = "x".repeat(largest - 20);
        await store.append("order-1", [message("Big", { text })]);
        const [stored] = await store.readStream("order-1");
        assert.equal((stored.data as { text: string }).text.length, text.length);
      });
    });

    if (limit !== undefined) {
      it(`append() refuses an append over the store's limit of ${limit} bytes, and writes none of it`, async () => {
        await withStore(options, async (store) => {
          await store.append("order-1", [message()]);
          const before = await snapshot(store);
          const text = "x".repeat(Math.ceil(limit * 0.6));
          await assert.rejects(
            store.append("order-1", [message("Big", { text }), message("Big", { text })]),
            (error) => error instanceof ValidationError && error.path === "messages",
          );
          assert.deepEqual(await snapshot(store), before);
        });
      });
    }
  });
}
