// Fail fast on what retrying cannot fix, shared by PGlite and the real
// PostgreSQL server: a consumer (or group member) over a schema that does
// not exist, lacks ordo's tables, or is older than the code rejects `caughtUp`
// and `done` within a second with NotMigratedError (not the retryable
// StoreUnavailableError), and the default logger prints one line saying to
// call migrate().
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ConsumerStorage,
  createConsumer,
  createGroupConsumer,
  createMemoryConsumerStorage,
  type EventStore,
  NotMigratedError,
  silentLogger,
  StoreUnavailableError,
} from "../../mod.ts";
import { MIGRATIONS } from "../../stores/postgres/mod.ts";

/** What the suite needs of one PostgreSQL: stores and storages over a schema, and raw SQL. */
export interface NotMigratedRig {
  readonly name: string;
  store(schema: string): EventStore & { migrate(): Promise<void> };
  storage(schema: string): ConsumerStorage<unknown>;
  exec(sql: string): Promise<unknown>;
}

/** Captures what the console gets meanwhile (the default logger writes there). */
async function capturingConsole<T>(body: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const saved = { error: console.error, warn: console.warn, info: console.info };
  for (const level of ["error", "warn", "info"] as const) {
    console[level] = (line: unknown) => void lines.push(String(line));
  }
  try {
    return { value: await body(), lines };
  } finally {
    Object.assign(console, saved);
  }
}

/** Resolves the rejection of `promise` within `ms`, or fails. */
async function rejectionWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([promise, late]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("still pending")) throw error;
    return error;
  } finally {
    clearTimeout(timer);
  }
  assert.fail("the promise resolved");
}

function isNotMigrated(error: unknown, schema: string): boolean {
  return error instanceof NotMigratedError && error.schema === schema &&
    /call migrate\(\) first/.test(error.message);
}

export function testNotMigrated(rig: NotMigratedRig): void {
  describe(`fail fast on an unmigrated schema (${rig.name})`, () => {
    it("a consumer over an unmigrated schema rejects within a second with NotMigratedError, and the default logger prints one line saying to call migrate()", async () => {
      const schema = `nowhere_${crypto.randomUUID().slice(0, 8)}`;
      const { value: errors, lines } = await capturingConsole(async () => {
        const consumer = createConsumer(rig.store(schema), {
          group: "g",
          source: { category: "order" },
          storage: rig.storage(schema),
          handler: () => {},
        });
        const caughtUp = await rejectionWithin(consumer.caughtUp, 1000);
        const done = await rejectionWithin(consumer.done, 1000);
        await consumer.close();
        return [caughtUp, done];
      });
      for (const error of errors) assert.ok(isNotMigrated(error, schema), String(error));
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.match(lines[0], /^ordo error: Consumer stopped: retrying cannot fix this error /);
      assert.match(
        lines[0],
        new RegExp(`Schema \\\\"${schema}\\\\" is not migrated: call migrate\\(\\) first`),
      );
    });

    it("so does a consumer whose store alone is unmigrated, and a group member", async () => {
      const schema = `nowhere_${crypto.randomUUID().slice(0, 8)}`;
      const consumer = createConsumer(rig.store(schema), {
        group: "g",
        source: { all: true },
        storage: createMemoryConsumerStorage(),
        logger: silentLogger,
        handler: () => {},
      });
      assert.ok(isNotMigrated(await rejectionWithin(consumer.done, 1000), schema));
      const member = createGroupConsumer(rig.store(schema), {
        group: "g",
        source: { category: "order" },
        partitions: 2,
        storage: rig.storage(schema),
        logger: silentLogger,
        handler: () => {},
      });
      assert.ok(isNotMigrated(await rejectionWithin(member.caughtUp, 1000), schema));
      assert.ok(isNotMigrated(await rejectionWithin(member.done, 1000), schema));
    });

    it("a schema older than the code is NotMigratedError naming the versions, and migrate() fixes it", async () => {
      const schema = `old_${crypto.randomUUID().slice(0, 8)}`;
      const required = MIGRATIONS[MIGRATIONS.length - 1].version;
      await rig.exec(
        `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const migration of MIGRATIONS.slice(0, -1)) {
        await rig.exec(migration.script(schema));
        await rig.exec(`INSERT INTO ${schema}.migrations (version) VALUES (${migration.version})`);
      }
      const store = rig.store(schema);
      const storage = rig.storage(schema);
      for (const call of [() => store.headPosition(), () => storage.checkpoints.load("g", 0)]) {
        await assert.rejects(call(), (error) => {
          assert.ok(error instanceof NotMigratedError && !(error instanceof StoreUnavailableError));
          assert.equal(error.foundVersion, required - 1);
          assert.equal(error.requiredVersion, required);
          assert.match(
            error.message,
            new RegExp(`it has migration ${required - 1}, this code needs ${required}`),
          );
          return true;
        });
      }
      await store.migrate();
      assert.equal(await store.headPosition(), 0n);
      assert.equal(await rig.storage(schema).checkpoints.load("g", 0), undefined);
    });

    it("store and storage calls on a missing schema are NotMigratedError, never StoreUnavailableError", async () => {
      const schema = `nowhere_${crypto.randomUUID().slice(0, 8)}`;
      const store = rig.store(schema);
      const storage = rig.storage(schema);
      const calls: [string, () => Promise<unknown>][] = [
        ["append", () => store.append("order-1", [{ type: "A", data: {} }])],
        ["readAll", () => store.readAll().toArray()],
        ["readPage", () => store.readPage()],
        ["checkpoints.load", () => storage.checkpoints.load("g", 0)],
        [
          "checkpoints.commit",
          () => storage.checkpoints.commit({ group: "g", partition: 0, position: 1n }, () => {}),
        ],
        ["leases.heartbeat", () => storage.leases.heartbeat("g", "m", { ttl: 1000 })],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (error) => isNotMigrated(error, schema), name);
      }
    });
  });
}
