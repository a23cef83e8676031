// The readable head as a property, on a real PostgreSQL 18: appends held open
// on separate connections commit or roll back in any order fast-check draws,
// among appends through the store and reads in between. A reader that
// continues from what it has delivered must never meet a position at or below
// one it delivered, and in the end must have delivered exactly the committed
// messages, in position order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RecordedMessage } from "../../mod.ts";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { readEverything } from "../contract/_fixtures.ts";

const CONNECTIONS = 3;

type Step =
  | { kind: "open"; connection: number }
  | { kind: "end"; connection: number; commit: boolean }
  | { kind: "append" }
  | { kind: "read" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("open" as const), connection: fc.nat(CONNECTIONS - 1) }),
  fc.record({
    kind: fc.constant("end" as const),
    connection: fc.nat(CONNECTIONS - 1),
    commit: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("append" as const) }),
  fc.record({ kind: fc.constant("read" as const) }),
);

describe("PostgreSQL readable head", () => {
  const pg = usePostgres({ max: CONNECTIONS + 4, schema: "head" });

  it("takes the messages table before its sequence, so a TRUNCATE … RESTART IDENTITY beside it cannot deadlock", async () => {
    const truncating = await pg.sql.reserve();
    const reading = await pg.sql.reserve();
    try {
      // The TRUNCATE's order: the table first, then (below) the sequence it restarts.
      await truncating.unsafe("BEGIN");
      await truncating.unsafe("LOCK TABLE head.messages IN ACCESS EXCLUSIVE MODE");
      const [{ pid }] = await reading.unsafe("SELECT pg_backend_pid() AS pid");
      // postgres.js sends a query once it is awaited or executed: execute() sends it now.
      const head = reading.unsafe("SELECT head.readable_head()::text AS head").execute();
      for (let waited = 0;; waited += 10) {
        const [row] = await pg.sql.unsafe(
          "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1",
          [pid],
        );
        if (row?.wait_event_type === "Lock") break;
        assert.ok(waited < 10_000, "readable_head() never waited for the table");
        await new Promise((r) => setTimeout(r, 10));
      }
      // It takes the sequence now: had readable_head() taken it first, this would deadlock.
      await truncating.unsafe("TRUNCATE head.messages RESTART IDENTITY");
      await truncating.unsafe("COMMIT");
      const [{ head: value }] = await head;
      assert.match(value, /^\d+$/);
    } finally {
      await truncating.unsafe("ROLLBACK").catch(() => {});
      truncating.release();
      reading.release();
    }
  });

  it("property: a continuing reader never meets a position below one it delivered, and ends with every committed message", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        await pg.sql.unsafe("TRUNCATE head.messages RESTART IDENTITY");
        // A new store per run: a store remembers the heads it has seen, which
        // the TRUNCATE above would make wrong.
        const store = createPostgresStore(pg.sql, { schema: "head" });
        const connections = await Promise.all(
          Array.from({ length: CONNECTIONS }, () => pg.sql.reserve()),
        );
        // Per connection: the ids appended in its open transaction, if one is open.
        const open: (string[] | undefined)[] = connections.map(() => undefined);
        const committed = new Set<string>();
        const delivered: RecordedMessage[] = [];
        const read = async () => {
          const from = (delivered.at(-1)?.globalPosition ?? 0n) + 1n;
          for (const m of await store.readAll({ from }).toArray()) {
            const last = delivered.at(-1);
            assert.ok(
              last === undefined || m.globalPosition > last.globalPosition,
              `met ${m.globalPosition} after ${last?.globalPosition}`,
            );
            assert.ok(committed.has(m.id), `delivered ${m.globalPosition}, which is not committed`);
            delivered.push(m);
          }
        };
        try {
          for (const s of steps) {
            if (s.kind === "open") {
              const connection = connections[s.connection];
              if (open[s.connection] === undefined) {
                await connection.unsafe("BEGIN");
                open[s.connection] = [];
              }
              const id = crypto.randomUUID();
              const payload = JSON.stringify([{ id, type: "Held", data: {}, metadata: {} }]);
              await connection.unsafe("SELECT * FROM head.append($1, 'any', $2::text::jsonb)", [
                `held-${s.connection}`,
                payload,
              ]);
              open[s.connection]!.push(id);
            } else if (s.kind === "end") {
              const ids = open[s.connection];
              if (ids === undefined) continue;
              await connections[s.connection].unsafe(s.commit ? "COMMIT" : "ROLLBACK");
              if (s.commit) { for (const id of ids) committed.add(id); }
              open[s.connection] = undefined;
            } else if (s.kind === "append") {
              const result = await store.append("direct-1", [{ type: "Direct", data: {} }]);
              committed.add(result.positions[0].id);
            } else {
              await read();
            }
          }
          for (const [i, ids] of open.entries()) {
            if (ids === undefined) continue;
            await connections[i].unsafe("COMMIT");
            for (const id of ids) committed.add(id);
          }
          await read();
          const everything = await readEverything(store);
          assert.deepEqual(
            delivered.map((m) => m.id),
            everything.map((m) => m.id),
            "the reader missed a committed message",
          );
          assert.equal(everything.length, committed.size);
        } finally {
          for (const [i, connection] of connections.entries()) {
            if (open[i] !== undefined) await connection.unsafe("ROLLBACK").catch(() => {});
            connection.release();
          }
          await store.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
