// Unknown option keys are refused everywhere in the public API, with a
// ValidationError naming the key and the nearest valid one: a typo such as
// `{ expectVersion: 5 }` in plain JavaScript must not run unchecked.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { PGliteInterface } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import {
  createBus,
  createCircuitBreaker,
  createCommandHandler,
  createConsoleLogger,
  createConsumer,
  createGroupConsumer,
  createInProcessTransport,
  createMemoryConsumerStorage,
  createMemoryStore,
  rebuildProjection,
  runOnce,
  silentLogger,
  ValidationError,
} from "../../mod.ts";
import { checkKnownKeys, nearestKey } from "../../core/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  createPostgresConsumerStorage,
  createPostgresStore,
} from "../../stores/postgres/mod.ts";
import { createMemoryLeaseStore } from "../../stores/memory/mod.ts";
import { createEventStoreDbStore } from "../../stores/eventstoredb/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";

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

const store = () => createMemoryStore({ logger: silentLogger });
const consumerOptions = {
  group: "g",
  source: { category: "order" },
  storage: createMemoryConsumerStorage(),
  handler: () => {},
  logger: silentLogger,
};

describe("unknown option keys", () => {
  it("checkKnownKeys() names the key and the nearest valid one", () => {
    assert.throws(
      () => checkKnownKeys({ expectVersion: 5 }, ["expectedVersion", "awaitGlobalPosition"], "o"),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.message ===
          'Invalid o.expectVersion 5: unknown option; did you mean "expectedVersion"?',
    );
    checkKnownKeys({ expectedVersion: 5 }, ["expectedVersion"], "o");
  });

  it("suggests ordo's name for another toolkit's (EventStoreDB's maxCount, fromRevision), and nothing for a key near none", async () => {
    const s = store();
    await refuses(
      () => s.readStream("order-1", { maxCount: 1 } as never),
      "options.maxCount",
      "limit",
    );
    await refuses(
      () => s.readStream("order-1", { fromRevision: 1 } as never),
      "options.fromRevision",
      "from",
    );
    await refuses(
      () => s.append("order-1", [{ type: "T", data: {} }], { expectedRevision: 0 } as never),
      "options.expectedRevision",
      "expectedVersion",
    );
    await assert.rejects(
      s.readStream("order-1", { bogus: 1 } as never),
      (error: unknown) =>
        error instanceof ValidationError &&
        /^unknown option; the options here are "(\w+)"(, "\w+")* and "\w+"$/.test(error.reason) &&
        error.reason.includes('"limit"'),
    );
  });

  it("names no near miss three edits away from a short key (a consumer's at is no misspelt group)", () => {
    assert.throws(
      () => createConsumer(store(), { ...consumerOptions, at: "end" } as never),
      (error: unknown) =>
        error instanceof ValidationError && error.path === "options.at" &&
        !error.reason.includes("did you mean"),
    );
    assert.throws(
      () => checkKnownKeys({ foo: 1 }, ["id", "type", "data", "metadata"], "m", "key"),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.reason === 'unknown key; the keys here are "id", "type", "data" and "metadata"',
    );
  });

  it("nearestKey() finds a key one edit away among any others (property)", () => {
    const keys = ["expectedVersion", "awaitGlobalPosition", "batchSize", "heartbeatInterval"];
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.nat(),
        fc.constantFrom("drop", "double", "upper"),
        (key, at, edit) => {
          const i = at % key.length;
          const typo = edit === "drop"
            ? key.slice(0, i) + key.slice(i + 1)
            : edit === "double"
            ? key.slice(0, i) + key[i] + key.slice(i)
            : key.toUpperCase();
          return nearestKey(typo, keys) === key;
        },
      ),
    );
  });

  it("the store's calls refuse them: append, reads, waitForAppend", async () => {
    const s = store();
    await refuses(
      () => s.append("order-1", [{ type: "A", data: {} }], { expectVersion: 0 } as never),
      "options.expectVersion",
      "expectedVersion",
    );
    assert.equal(await s.headPosition(), 0n, "nothing was appended");
    await refuses(() => s.readStream("order-1", { limt: 1 } as never), "options.limt", "limit");
    await refuses(() => s.readAll({ form: 0n } as never), "options.form", "from");
    await refuses(() => s.readCategory("order", { type: ["A"] } as never), "options.type", "types");
    await refuses(() => s.readAll({ pagesize: 5 } as never), "options.pagesize", "pageSize");
    await refuses(() => s.readPage({ categry: "order" } as never), "options.categry", "category");
    await refuses(() => s.waitForAppend(0n, { timeot: 1 } as never), "options.timeot", "timeout");
  });

  it("store factories refuse them: memory, PostgreSQL, PGlite, EventStoreDB, consumer storages", async () => {
    await refuses(
      () => createMemoryStore({ maxMessageSzie: 1 } as never),
      "options.maxMessageSzie",
      "maxMessageSize",
    );
    await refuses(
      () => createMemoryConsumerStorage({ leses: undefined } as never),
      "options.leses",
      "leases",
    );
    await refuses(() => createMemoryLeaseStore({ nwo: Date.now } as never), "options.nwo", "now");
    // Stand-ins with the calls a factory checks for; none is made.
    const noCall = () => {};
    const pg = {
      query: noCall,
      transaction: noCall,
      exec: noCall,
      listen: noCall,
    } as never as PGliteInterface;
    const sql = Object.assign(noCall, { unsafe: noCall }) as never as Sql;
    await refuses(() => createPGliteStore(pg, { shema: "x" } as never), "options.shema", "schema");
    await refuses(
      () => createPostgresStore(sql, { pollInterva: 5 } as never),
      "options.pollInterva",
      "pollInterval",
    );
    await refuses(
      () => createPGliteConsumerStorage(pg, { schem: "x" } as never),
      "options.schem",
      "schema",
    );
    await refuses(
      () => createPostgresConsumerStorage(sql, { Schema: "x" } as never),
      "options.Schema",
      "schema",
    );
    await refuses(
      () => createEventStoreDbStore({} as never, { namespce: "x" } as never),
      "options.namespce",
      "namespace",
    );
  });

  it("consumers, group consumers, rebuilds and their retry policies and sources refuse them", async () => {
    await refuses(
      () => createConsumer(store(), { ...consumerOptions, batchsize: 10 } as never),
      "options.batchsize",
      "batchSize",
    );
    await refuses(
      () => createConsumer(store(), { ...consumerOptions, retry: { maxAttempt: 2 } } as never),
      "options.retry.maxAttempt",
      "maxAttempts",
    );
    await refuses(
      () => createConsumer(store(), { ...consumerOptions, source: { categroy: "order" } } as never),
      "options.source.categroy",
      "category",
    );
    await refuses(
      () =>
        createGroupConsumer(store(), { ...consumerOptions, partitions: 2, leaseTTL: 5 } as never),
      "options.leaseTTL",
      "leaseTtl",
    );
    await refuses(
      () => rebuildProjection(store(), { ...consumerOptions, onProgres: () => {} } as never),
      "options.onProgres",
      "onProgress",
    );
    await refuses(
      () =>
        runOnce(
          createMemoryConsumerStorage().processed,
          { scope: "s", key: "k", efect: () => {} } as never,
        ),
      "options.efect",
      "effect",
    );
  });

  it("a consumer's listParked() and replayAllParked() refuse them", async () => {
    const consumer = createConsumer(store(), consumerOptions);
    await refuses(() => consumer.listParked({ limt: 1 } as never), "options.limt", "limit");
    await refuses(
      () => consumer.replayAllParked({ signl: undefined } as never),
      "options.signl",
      "signal",
    );
    await consumer.close();
  });

  it("the bus refuses them: its options, timeouts, breaker, call options and handler options", async () => {
    const transport = () => createInProcessTransport({ logger: silentLogger });
    await refuses(
      () => createBus({ transport: transport(), timeout: {} } as never),
      "options.timeout",
      "timeouts",
    );
    await refuses(
      () => createBus({ transport: transport(), timeouts: { qeury: 5 } } as never),
      "options.timeouts.qeury",
      "query",
    );
    await refuses(
      () => createCircuitBreaker({ coolDwn: 5 } as never),
      "options.coolDwn",
      "coolDown",
    );
    const bus = createBus({ transport: transport() });
    bus.handleQuery("orders/show", () => 1);
    await refuses(
      () => bus.query("orders/show", 1, { timout: 5 } as never),
      "options.timout",
      "timeout",
    );
    await refuses(
      () => bus.send({ type: "orders/place", data: {} }, { signl: undefined } as never),
      "options.signl",
      "signal",
    );
    await refuses(
      () => bus.subscribe("g", ["orders/placed"], () => {}, { onParket: () => {} } as never),
      "options.onParket",
      "onParked",
    );
    await bus.close();
  });

  it("every transport refuses them: in-process, store-backed, HTTP client and handler", async () => {
    await refuses(
      () => createInProcessTransport({ dedupCapacty: 1 } as never),
      "options.dedupCapacty",
      "dedupCapacity",
    );
    await refuses(
      () =>
        createStoreBackedTransport(
          store(),
          { storage: createMemoryConsumerStorage(), batchSzie: 1 } as never,
        ),
      "options.batchSzie",
      "batchSize",
    );
    const auth = { bearer: "t0ken-0123456789ab" };
    await refuses(
      () => createHttpTransport({ url: "http://127.0.0.1:1", auth, header: {} } as never),
      "options.header",
      "headers",
    );
    await refuses(
      () =>
        createHttpTransport(
          { url: "http://127.0.0.1:1", auth, reconnect: { maxDelays: 1 } } as never,
        ),
      "options.reconnect.maxDelays",
      "maxDelay",
    );
    await refuses(
      () => createHttpTransport({ url: "http://127.0.0.1:1", auth: { barer: "t" } } as never),
      "options.auth.barer",
      "bearer",
    );
    const transport = createInProcessTransport({ logger: silentLogger });
    await refuses(
      () => createHttpHandler({ transport, auth, basepath: "/x" } as never),
      "options.basepath",
      "basePath",
    );
    await refuses(
      () => createHttpHandler({ transport, auth, allow: { command: [] } } as never),
      "options.allow.command",
      "commands",
    );
    await refuses(
      () =>
        createHttpHandler(
          { transport, auth: { hmac: { secret: "s3cret-0123456789", maxSkwe: 1 } } } as never,
        ),
      "options.auth.hmac.maxSkwe",
      "maxSkew",
    );
    await refuses(
      () =>
        createHttpHandler(
          { transport, auth: { bearer: "t0ken-0123456789ab", allow: { publsh: [] } } } as never,
        ),
      "options.auth.allow.publsh",
      "publish",
    );
  });

  it("the command handler refuses them: its options, its retry and a command's options", async () => {
    const s = store();
    const decider = {
      initialState: () => 0,
      evolve: (n: number) => n + 1,
      decide: () => [{ type: "Counted", data: {} }],
    };
    await refuses(
      () => createCommandHandler(s, decider, { retries: {} } as never),
      "options.retries",
      "retry",
    );
    await refuses(
      () => createCommandHandler(s, decider, { retry: { maxAttempt: 2 } } as never),
      "options.retry.maxAttempt",
      "maxAttempts",
    );
    const handle = createCommandHandler(s, decider);
    await refuses(
      () => handle("count-1", 1, { singal: undefined } as never),
      "options.singal",
      "signal",
    );
    assert.equal(await s.headPosition(), 0n, "nothing was appended");
  });

  it("the logger's factory refuses them", async () => {
    await refuses(() => createConsoleLogger({ levl: "warn" } as never), "options.levl", "level");
  });
});
