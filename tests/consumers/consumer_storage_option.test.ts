// A consumer needs somewhere to keep its checkpoint. Users of EventStoreDB's
// catch-up subscriptions have never had to give one, so a consumer made
// without it (or with the store in its place) is refused naming the
// factories that make one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  createGroupConsumer,
  createMemoryStore,
  ValidationError,
} from "../../mod.ts";

describe("createConsumer() without a consumer storage", () => {
  const store = createMemoryStore();
  const options = { group: "g", source: { category: "order" }, handler: () => {} };

  it("refuses it, naming createMemoryConsumerStorage() and createPostgresConsumerStorage(sql)", () => {
    for (const storage of [undefined, store]) {
      for (const create of [createConsumer, createGroupConsumer]) {
        assert.throws(
          () =>
            create === createConsumer
              ? createConsumer(store, { ...options, storage } as never)
              : createGroupConsumer(store, { ...options, partitions: 2, storage } as never),
          (error: unknown) =>
            error instanceof ValidationError && error.path === "options.storage" &&
            /createMemoryConsumerStorage\(\), or createPostgresConsumerStorage\(sql\)/.test(
              error.message,
            ),
        );
      }
    }
  });
});
