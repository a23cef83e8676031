import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryStore, ValidationError } from "../../mod.ts";
import { testStoreContract } from "../contract/store.ts";

testStoreContract({
  name: "memory",
  create: () => createMemoryStore(),
  capabilities: { browsing: true },
});

describe("createMemoryStore()", () => {
  it("applies a smaller maxMessageSize", async () => {
    const store = createMemoryStore({ maxMessageSize: 100 });
    await store.append("order-1", [{ type: "T", data: { text: "x".repeat(10) } }]);
    await assert.rejects(
      store.append("order-1", [{ type: "T", data: { text: "x".repeat(100) } }]),
      (error) => error instanceof ValidationError && error.path === "messages[0]",
    );
    assert.equal(await store.headPosition(), 1n);
  });

  it("applies a smaller maxBatchSize", async () => {
    const store = createMemoryStore({ maxBatchSize: 2 });
    const batch = [1, 2, 3].map(() => ({ type: "T", data: {} }));
    await assert.rejects(
      store.append("order-1", batch),
      (error) => error instanceof ValidationError && error.path === "messages",
    );
    assert.equal(await store.headPosition(), 0n);
  });
});
