// The operators' tools refuse unknown option keys as the rest of the public
// API does: a typo must not run unchecked (a misspelt `origins` would leave a
// proxied console refusing every replay, a misspelt `limit` would list 50).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  silentLogger,
  ValidationError,
} from "../../mod.ts";
import {
  createAdminHandler,
  inspectConsumers,
  inspectStore,
  requestReplay,
} from "../../admin/mod.ts";
import { createMemoryControlStore } from "../../stores/memory/mod.ts";

/** Asserts that `call` refuses `path` as an unknown option, suggesting `nearest`. */
async function refuses(call: () => unknown, path: string, nearest: string): Promise<void> {
  await assert.rejects(
    async () => await call(),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
      assert.equal(error.path, path);
      assert.equal(error.reason, `unknown option; did you mean "${nearest}"?`);
      return true;
    },
  );
}

const ID = "0b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3";

describe("unknown option keys in the operators' tools", () => {
  it("the store's browsing calls refuse them: listStreams, countMessages", async () => {
    const store = createMemoryStore({ logger: silentLogger });
    await refuses(() => store.listStreams!({ limt: 5 } as never), "options.limt", "limit");
    await refuses(() => store.countMessages!({ maxx: 5 } as never), "options.maxx", "max");
  });

  it("the console's handler refuses them, in its options and its auth", async () => {
    const base = {
      store: createMemoryStore({ logger: silentLogger }),
      storage: createMemoryConsumerStorage(),
      auth: { operator: { bearer: "operator-token-7f3a9c" } },
    };
    await refuses(
      () => createAdminHandler({ ...base, origin: ["https://ops.example.com"] } as never),
      "options.origin",
      "origins",
    );
    await refuses(
      () =>
        createAdminHandler(
          {
            ...base,
            auth: { operator: { bearer: "operator-token-7f3a9c" }, viewers: {} },
          } as never,
        ),
      "options.auth.viewers",
      "viewer",
    );
    assert.throws(
      () => createAdminHandler({ ...base, sampleInterval: -1 }),
      (error) => error instanceof ValidationError && error.path === "options.sampleInterval",
    );
  });

  it("inspectStore, inspectConsumers, requestReplay and the memory control store refuse them", async () => {
    const store = createMemoryStore({ logger: silentLogger });
    const storage = createMemoryConsumerStorage();
    await refuses(
      () => inspectStore(store, { streamcap: 5 } as never),
      "options.streamcap",
      "streamCap",
    );
    await refuses(
      () => inspectConsumers(store, storage, { grop: "g" } as never),
      "options.grop",
      "group",
    );
    await refuses(
      () => requestReplay(storage, ID, { gruop: "g" } as never),
      "options.gruop",
      "group",
    );
    await refuses(() => createMemoryControlStore({ nwo: Date.now } as never), "options.nwo", "now");
  });

  it("a consumer takes controlInterval, which is checked", async () => {
    const options = {
      group: "g",
      source: { category: "order" },
      storage: createMemoryConsumerStorage(),
      handler: () => {},
      logger: silentLogger,
    };
    const consumer = createConsumer(createMemoryStore({ logger: silentLogger }), {
      ...options,
      controlInterval: false,
    });
    await consumer.stop();
    assert.throws(
      () => createConsumer(createMemoryStore(), { ...options, controlInterval: 0 }),
      (error) => error instanceof ValidationError && error.path === "options.controlInterval",
    );
  });
});
