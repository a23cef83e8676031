// Every released schema upgrades to what a fresh migrate() makes. For each
// release N (migrations 1 to N), a schema is built from the frozen migration
// texts, which are exactly what that release ran, written to with that
// release's own append function and consumer tables, and then brought up to
// date by today's migrate(): its catalog must equal that of a schema migrated
// in one go, and what was written must still be there and read back by today's
// store and consumer storage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParkedMessage, RecordedMessage } from "../../mod.ts";
import { LOCK_CLASS } from "../../stores/postgres/migrations/mod.ts";
import {
  createConsumerStorageOverDriver,
  createPostgresConsumerStorage,
  MIGRATIONS,
  postgresJsDriver,
} from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { dumpCatalog } from "./_postgres_catalog.ts";

const IN_ONE_GO = "in_one_go";
const RELEASES = MIGRATIONS.map((m) => m.version).slice(0, -1);

describe("PostgreSQL migrate() from every released schema", () => {
  const pg = usePostgres({ max: 6, schema: IN_ONE_GO });

  /** Migrations 1 to `release` from their frozen texts, recorded as that release recorded them. */
  async function buildRelease(schema: string, release: number): Promise<void> {
    await pg.sql.unsafe(
      `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    ).simple();
    for (const migration of MIGRATIONS.filter((m) => m.version <= release)) {
      await pg.sql.unsafe(migration.script(schema)).simple();
      await pg.sql.unsafe(`INSERT INTO ${schema}.migrations (version) VALUES ($1)`, [
        migration.version,
      ]);
    }
  }

  /**
   * Appends through the release's own SQL function: the four-argument form up
   * to migration 4, the three-argument one from migration 5. The last append
   * runs while another session holds the sequencer's lock, so a release that
   * had a sequencer leaves that row unnumbered, as it did in production.
   */
  async function writeMessages(schema: string, release: number) {
    const written: RecordedMessage[] = [];
    const append = async (stream: string, expected: string, count: number) => {
      const batch = Array.from({ length: count }, (_, n) => ({
        id: crypto.randomUUID(),
        type: "Released",
        data: { release, stream, n },
        metadata: { timestamp: "2026-01-02T03:04:05.678Z", release },
      }));
      const extra = release <= 4 ? ", 100" : "";
      await pg.sql.unsafe(`SELECT * FROM ${schema}.append($1, $2, $3::text::jsonb${extra})`, [
        stream,
        expected,
        JSON.stringify(batch),
      ]);
      for (const [n, m] of batch.entries()) {
        written.push({ ...m, streamName: stream, streamVersion: n, globalPosition: 0n });
      }
    };
    await append("order-1", "any", 2);
    await append("order-2", "no-stream", 1);
    const sequencer = pg.client();
    try {
      await sequencer`SELECT pg_advisory_lock(${LOCK_CLASS}, hashtext(${`${schema}.sequencer`}))`;
      await append("order-3", "any", 1);
    } finally {
      await sequencer.end({ timeout: 5 });
    }
    const [{ unnumbered }] = await pg.sql.unsafe(
      `SELECT count(*)::int AS unnumbered FROM ${schema}.messages WHERE global_position IS NULL`,
    );
    assert.equal(unnumbered, release <= 4 ? 1 : 0, "the release's sequencer left a row behind");
    // Positions in the order written: the unnumbered row is numbered last, by migration 5.
    return written.map((m, i) => ({ ...m, globalPosition: BigInt(i + 1) }));
  }

  /** A checkpoint, a parked message, a processed key, a member and a lease, in the consumers' tables (migration 2). */
  async function writeConsumerState(schema: string, parkedMessage: RecordedMessage) {
    // The checkpoint, parked and processed tables are migration 2's, unchanged since, so
    // today's storage writes what the release wrote; only its check of the schema's version (which
    // releases did not make) is answered as if the schema were up to date.
    const driver = postgresJsDriver(pg.sql);
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    const storage = createConsumerStorageOverDriver(
      {
        ...driver,
        query: (text, params) =>
          text.includes(`FROM ${schema}.migrations`)
            ? Promise.resolve([{ version: latest }])
            : driver.query(text, params),
      },
      { schema },
    );
    await storage.checkpoints.commit({ group: "g", partition: 0, position: 2n }, () => {});
    const parked: ParkedMessage = {
      group: "g",
      partition: 0,
      message: parkedMessage,
      error: { name: "Error", message: "gave up" },
      attempts: 3,
      parkedAt: "2026-01-02T03:04:05.678Z",
    };
    await storage.parked.park(parked);
    await storage.processed.record("g/email", "key-1");
    // A member and a lease as releases 2 to 7 wrote them: migration 8 added their instance.
    await pg.sql.unsafe(
      `INSERT INTO ${schema}.members (grp, member, expires_at) VALUES ('g', 'm1', clock_timestamp() + interval '10 minutes');
       INSERT INTO ${schema}.leases (grp, partition, owner, token, expires_at) VALUES ('g', 0, 'm1', 1, clock_timestamp() + interval '10 minutes')`,
    );
    return parked;
  }

  for (const release of RELEASES) {
    it(`brings a schema of release ${release} (migrations 1 to ${release}) to what migrate() makes in one go, data intact`, async () => {
      const schema = `released_${release}`;
      await buildRelease(schema, release);
      const written = await writeMessages(schema, release);
      const parked = release >= 2 ? await writeConsumerState(schema, written[1]) : undefined;

      const store = pg.createStore({ schema, pollInterval: 60_000 });
      await store.migrate();

      assert.deepEqual(await dumpCatalog(pg.sql, schema), await dumpCatalog(pg.sql, IN_ONE_GO));
      const applied = await pg.sql.unsafe(
        `SELECT version FROM ${schema}.migrations ORDER BY version`,
      );
      assert.deepEqual(applied.map((row) => row.version), MIGRATIONS.map((m) => m.version));

      assert.deepEqual(await store.readAll().toArray(), written);
      assert.deepEqual(await store.readCategory("order").toArray(), written);
      assert.deepEqual(await store.readStream("order-1"), written.slice(0, 2));
      assert.equal(await store.headPosition(), 4n);
      const next = await store.append("order-3", [{ type: "Upgraded", data: {} }], {
        expectedVersion: 0,
      });
      assert.deepEqual([next.streamVersion, next.globalPosition], [1, 5n]);

      if (parked !== undefined) {
        const storage = createPostgresConsumerStorage(pg.sql, { schema });
        assert.equal(await storage.checkpoints.load("g", 0), 2n);
        assert.deepEqual(await storage.parked.list("g"), [parked]);
        assert.equal(await storage.processed.has("g/email", "key-1"), true);
        const leases = await storage.leases.list("g");
        assert.deepEqual(leases.map((l) => [l.partition, l.owner, l.token]), [[0, "m1", 1n]]);
        // Written without an instance: another instance than any that asks, until they expire.
        await assert.rejects(
          storage.leases.heartbeat("g", "m1", { ttl: 1_000, instance: "new" }),
          /another running instance holds this name/,
        );
        assert.equal(
          await storage.leases.acquire("g", 0, { owner: "m1", instance: "new", ttl: 1_000 }),
          undefined,
        );
      }
    });
  }
});
