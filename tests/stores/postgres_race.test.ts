// Global order under real concurrency: writers on separate connections commit
// out of order (random sleeps inside open transactions, some rolled back)
// while readers tail the store; an ordo writer still in flight holds readers
// below its position; and an unrelated transaction left open for the whole
// test does not stop readers. These are the failures peers have shipped: readers skipping
// messages whose transaction committed late, and readers stalled by any long
// transaction in the database.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConcurrencyError,
  type EventStore,
  type ReadPageOptions,
  type RecordedMessage,
} from "../../mod.ts";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { isStrictlyIncreasing, readEverything } from "../contract/_fixtures.ts";

const WRITERS = 16;
const APPENDS_PER_WRITER = 12;

/** One page's messages. */
async function pageOf(store: EventStore, options: ReadPageOptions): Promise<RecordedMessage[]> {
  return (await store.readPage(options)).messages;
}

/** Tails a read until `done()` and the store's head are both reached; returns what it saw. */
async function tail(
  store: EventStore,
  read: (from: bigint) => Promise<RecordedMessage[]>,
  done: () => boolean,
  wanted: () => Promise<bigint>,
): Promise<RecordedMessage[]> {
  const seen: RecordedMessage[] = [];
  let from = 1n;
  for (;;) {
    const page = await read(from);
    for (const m of page) {
      assert.ok(m.globalPosition >= from, `read ${m.globalPosition} below ${from}`);
      if (seen.length > 0) {
        assert.ok(
          m.globalPosition > seen[seen.length - 1].globalPosition,
          "positions went backwards",
        );
      }
      seen.push(m);
    }
    if (page.length > 0) {
      from = page[page.length - 1].globalPosition + 1n;
      continue;
    }
    if (done() && from > (await wanted())) return seen;
    await store.waitForAppend(from - 1n, { timeout: 100 });
  }
}

describe("PostgreSQL store under concurrent writers", () => {
  const pg = usePostgres({ max: 40, schema: "race", store: { pollInterval: 50 } });

  it("gives tailing readers every position once, in order, while 16 writers commit out of order", async () => {
    await pg.sql.unsafe("TRUNCATE race.messages RESTART IDENTITY");
    let writersDone = false;
    let rolledBack = 0;
    const head = () => pg.store.headPosition();
    const readers = [
      tail(pg.store, (from) => pageOf(pg.store, { from, limit: 7 }), () => writersDone, head),
      tail(
        pg.store,
        (from) => pg.store.readAll({ from, pageSize: 7 }).toArray(),
        () => writersDone,
        head,
      ),
      tail(
        pg.store,
        (from) => pageOf(pg.store, { category: "race", from, limit: 5 }),
        () => writersDone,
        async () => {
          const last = (await pg.store.readCategory("race").toArray()).at(-1);
          return last?.globalPosition ?? 0n;
        },
      ),
    ];
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const connection = await pg.sql.reserve();
      try {
        for (let i = 0; i < APPENDS_PER_WRITER; i++) {
          const stream = `${w % 2 === 0 ? "race" : "other"}-${w}`;
          if (i % 3 === 0) {
            // Through the store's own API, every other time without waiting for the position.
            const deferred = i % 2 === 0 ? { awaitGlobalPosition: false } as const : undefined;
            await pg.store.append(stream, [{ type: "Raced", data: { w, i } }], deferred);
            continue;
          }
          // The store's append, inside a transaction held open for a random time,
          // so that transactions commit in a different order than they took
          // their positions; one in four rolls back, leaving a gap below others.
          const payload = JSON.stringify([{
            id: crypto.randomUUID(),
            type: "Raced",
            data: { w, i },
            metadata: { timestamp: new Date().toISOString() },
          }]);
          await connection.unsafe("BEGIN");
          await connection.unsafe("SELECT * FROM race.append($1, 'any', $2::text::jsonb)", [
            stream,
            payload,
          ]);
          await connection.unsafe("SELECT pg_sleep($1)", [Math.random() * 0.03]);
          if (Math.random() < 0.25) {
            await connection.unsafe("ROLLBACK");
            rolledBack++;
          } else {
            await connection.unsafe("COMMIT");
          }
        }
      } finally {
        connection.release();
      }
    });
    await Promise.all(writers);
    writersDone = true;
    const [small, large, category] = await Promise.all(readers);
    const everything = await readEverything(pg.store);
    assert.ok(rolledBack > 0, "no transaction rolled back: the gaps were not tested");
    assert.equal(everything.length, WRITERS * APPENDS_PER_WRITER - rolledBack);
    assert.ok(isStrictlyIncreasing(everything.map((m) => m.globalPosition)));
    const all = everything.map((m) => m.id);
    assert.deepEqual(
      small.map((m) => m.id),
      all,
      "the readPage tail in pages of 7 saw every message once, in order",
    );
    assert.deepEqual(
      large.map((m) => m.id),
      all,
      "the readAll iterations in pages of 7 saw every message once, in order",
    );
    assert.deepEqual(
      category.map((m) => m.id),
      everything.filter((m) => m.streamName.startsWith("race-")).map((m) => m.id),
      "the category tail saw its category once, in order",
    );
    // Per-stream order agrees with global order.
    const lastVersion = new Map<string, number>();
    for (const m of everything) {
      assert.equal(
        m.streamVersion,
        (lastVersion.get(m.streamName) ?? -1) + 1,
        `${m.streamName} out of order`,
      );
      lastVersion.set(m.streamName, m.streamVersion);
    }
  });

  it("serializes appends to one stream from 16 connections: each version once, in each writer's order", async () => {
    // Half the appends hold their transaction open after appending, so the
    // others queue on the stream's lock and must read the version it left.
    const stream = "shared-1";
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const connection = await pg.sql.reserve();
      try {
        for (let i = 0; i < APPENDS_PER_WRITER; i++) {
          if (i % 2 === 0) {
            const deferred = i % 4 === 0 ? { awaitGlobalPosition: false } as const : undefined;
            await pg.store.append(stream, [{ type: "Shared", data: { w, i } }], deferred);
            continue;
          }
          const payload = JSON.stringify([
            {
              id: crypto.randomUUID(),
              type: "Shared",
              data: { w, i },
              metadata: { timestamp: new Date().toISOString() },
            },
          ]);
          await connection.unsafe("BEGIN");
          await connection.unsafe("SELECT * FROM race.append($1, 'any', $2::text::jsonb)", [
            stream,
            payload,
          ]);
          await connection.unsafe("SELECT pg_sleep($1)", [Math.random() * 0.01]);
          await connection.unsafe("COMMIT");
        }
      } finally {
        connection.release();
      }
    });
    await Promise.all(writers);
    const read = await pg.store.readStream(stream);
    assert.deepEqual(
      read.map((m) => m.streamVersion),
      Array.from({ length: WRITERS * APPENDS_PER_WRITER }, (_, v) => v),
    );
    assert.ok(
      isStrictlyIncreasing(read.map((m) => m.globalPosition)),
      "global order disagrees with the stream's order",
    );
    for (let w = 0; w < WRITERS; w++) {
      const own = read.map((m) => m.data as { w: number; i: number }).filter((d) => d.w === w).map((
        d,
      ) => d.i);
      assert.deepEqual(
        own,
        Array.from({ length: APPENDS_PER_WRITER }, (_, i) => i),
        `writer ${w}'s appends out of order`,
      );
    }

    // Sixteen appends expecting the same version: one wins, the others are
    // told the version the winner left.
    const expected = WRITERS * APPENDS_PER_WRITER - 1;
    const outcomes = await Promise.allSettled(
      Array.from(
        { length: WRITERS },
        (_, w) =>
          pg.store.append(stream, [{ type: "Contested", data: { w } }], {
            expectedVersion: expected,
          }),
      ),
    );
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") continue;
      assert.ok(outcome.reason instanceof ConcurrencyError, String(outcome.reason));
      assert.equal(outcome.reason.actualVersion, expected + 1);
    }
  });

  it("keeps readers up to date while an unrelated transaction stays open", async () => {
    const idle = await pg.sql.reserve();
    try {
      // A transaction that holds a transaction id and then sits idle, as a stuck
      // report or a forgotten psql session would, for the whole test.
      await idle.unsafe("BEGIN");
      const [{ pid }] = await idle.unsafe("SELECT pg_backend_pid() AS pid, txid_current()");
      const [{ state }] = await pg.sql.unsafe("SELECT state FROM pg_stat_activity WHERE pid = $1", [
        pid,
      ]);
      assert.equal(state, "idle in transaction");

      const start = await pg.store.headPosition();
      let finished = false;
      const reader = tail(
        pg.store,
        (from) => pageOf(pg.store, { from: from > start ? from : start + 1n, limit: 10 }),
        () => finished,
        head,
      );
      const written: string[] = [];
      for (let i = 0; i < 40; i++) {
        const result = await pg.store.append(`idle-${i % 4}`, [{ type: "WhileIdle", data: { i } }]);
        written.push(result.positions[0].id);
        // A live reader woken by the store sees each message before the next is written.
        const seen = await pg.store.readAll({ from: result.globalPosition, limit: 1 }).toArray();
        assert.equal(
          seen[0]?.id,
          result.positions[0].id,
          "a reader sees the message as soon as append resolves",
        );
      }
      finished = true;
      const seen = await reader;
      assert.deepEqual(
        seen.map((m) => m.id),
        written,
        "the tailing reader saw every message once, in order",
      );
    } finally {
      await idle.unsafe("ROLLBACK").catch(() => {});
      idle.release();
    }

    async function head() {
      return await pg.store.headPosition();
    }
  });

  it("holds readers below an append still in flight, and lets them on when it commits or rolls back", async () => {
    for (const end of ["COMMIT", "ROLLBACK", "terminated"] as const) {
      // A client of its own, not a connection reserved from the shared pool:
      // postgres.js 3.4.9 puts a released connection back in its pool even
      // when its backend was terminated, and the next query sent on it never
      // settles (porsager/postgres#1199).
      const writer = pg.client();
      try {
        const before = await pg.store.headPosition();
        const payload = JSON.stringify([{
          id: crypto.randomUUID(),
          type: "Slow",
          data: {},
          metadata: {},
        }]);
        await writer.unsafe("BEGIN");
        const [slow] = await writer.unsafe(
          "SELECT global_position::text AS p FROM race.append('slow-1', 'any', $1::text::jsonb)",
          [payload],
        );
        // Appended after the open one, and committed first.
        const fast = await pg.store.append("fast-1", [{ type: "Fast", data: {} }]);
        assert.ok(fast.globalPosition > BigInt(slow.p));
        assert.ok(
          await pg.store.headPosition() < BigInt(slow.p),
          `${end}: the head passed a position still in flight`,
        );
        assert.deepEqual(
          await pg.store.readAll({ from: before + 1n }).toArray(),
          [],
          `${end}: a reader passed a position still in flight`,
        );
        assert.deepEqual(
          await pg.store.readCategory("fast", { from: before + 1n }).toArray(),
          [],
          `${end}: a category reader passed it`,
        );

        const waiting = pg.store.waitForAppend(before, { timeout: 10_000 });
        if (end === "terminated") {
          const [{ pid }] = await writer.unsafe("SELECT pg_backend_pid() AS pid");
          await pg.sql.unsafe("SELECT pg_terminate_backend($1)", [pid]);
        } else {
          await writer.unsafe(end);
        }
        assert.equal(await waiting, true, `${end}: the reader was not let on within 10 s`);
        const read = await pg.store.readAll({ from: before + 1n }).toArray();
        const expected = end === "COMMIT"
          ? [BigInt(slow.p), fast.globalPosition]
          : [fast.globalPosition];
        assert.deepEqual(read.map((m) => m.globalPosition), expected, end);
      } finally {
        await writer.end({ timeout: 1 });
      }
    }
  });

  it("holds readers below a one-message append that has its position but waits to insert it", async () => {
    const blocker = await pg.sql.reserve();
    try {
      const before = await pg.store.headPosition();
      // Version 0 of a stream, uncommitted, at a position of the blocker's own
      // (so it holds no bound itself): the store's append reads the stream as
      // empty, takes its bound and position, and then waits on the unique index.
      await blocker.unsafe("BEGIN");
      await blocker.unsafe(
        `INSERT INTO race.messages (global_position, id, stream_name, stream_version, type, data, metadata)
          VALUES (9000000000000, $1, 'queued-1', 0, 'Blocker', '{}', '{}')`,
        [crypto.randomUUID()],
      );
      const queued = pg.store.append("queued-1", [{ type: "Queued", data: {} }]);
      while (
        (await pg.sql.unsafe(
          "SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted",
        )).length === 0
      ) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const fast = await pg.store.append("fast-2", [{ type: "Fast", data: {} }]);
      assert.deepEqual(
        await pg.store.readAll({ from: before + 1n }).toArray(),
        [],
        "a reader passed the waiting append's position",
      );

      await blocker.unsafe("ROLLBACK");
      const appended = await queued;
      assert.ok(
        appended.globalPosition < fast.globalPosition,
        "the waiting append kept the position it took first",
      );
      const read = await pg.store.readAll({ from: before + 1n }).toArray();
      assert.deepEqual(read.map((m) => m.globalPosition), [
        appended.globalPosition,
        fast.globalPosition,
      ]);
    } finally {
      await blocker.unsafe("ROLLBACK").catch(() => {});
      blocker.release();
    }
  });

  it("wakes a reader in another process by NOTIFY after an append, without waiting for a poll", async () => {
    // Readers whose poll would come only after a minute, in two stores as two
    // processes would have: only the writer's NOTIFY can wake the reader.
    const writer = createPostgresStore(pg.sql, { schema: "patient", pollInterval: 60_000 });
    const reader = createPostgresStore(pg.sql, { schema: "patient", pollInterval: 60_000 });
    await writer.migrate();
    try {
      const before = await reader.headPosition();
      const waiting = reader.waitForAppend(before, { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 100)); // the LISTEN is in place
      const result = await writer.append("patient-1", [{ type: "Told", data: {} }]);
      assert.equal(await waiting, true, "the reader was not woken within 10 s");
      const [read] = await reader.readAll({ from: before + 1n, limit: 1 }).toArray();
      assert.equal(read?.id, result.positions[0].id);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it("wakes a waiting reader by its poll when the writer sent no NOTIFY", async () => {
    const id = crypto.randomUUID();
    const payload = JSON.stringify([{
      id,
      type: "Unannounced",
      data: {},
      metadata: { timestamp: new Date().toISOString() },
    }]);
    const before = await pg.store.headPosition();
    const waiting = pg.store.waitForAppend(before, { timeout: 10_000 });
    // Committed by a writer that died before its NOTIFY (or plain SQL).
    await pg.sql.unsafe("SELECT * FROM race.append($1, 'any', $2::text::jsonb)", [
      "unannounced-1",
      payload,
    ]);
    assert.equal(await waiting, true, "the waiting reader was woken by the store's poll");
    const [read] = await pg.store.readAll({ from: before + 1n, limit: 1 }).toArray();
    assert.equal(read?.id, id);
  });
});
