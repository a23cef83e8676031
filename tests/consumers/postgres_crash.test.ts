// The multi-process fault tests of issue 5, on a real PostgreSQL server:
// consumers run in child processes that are killed with SIGKILL while writers
// keep appending, and what they committed is checked against the store.
//
// 1. One consumer (createConsumer) keeps a read model in the same database
//    through context.tx and sends an "email" (a line in a file) through
//    context.once; it is killed 50 times, 20–150 ms after it starts handling.
//    The read model must equal the one computed from the store (each message
//    applied once), the processed records must hold each message once, and
//    every email must have gone out, repeated only for a message that was
//    between its email and its record when a process was killed.
// 2. Three members of a consumer group (createGroupConsumer) log what they
//    handle through context.tx; one is killed inside a handler's transaction
//    and a fourth joins. Every message must be logged once, and each stream's
//    versions must be logged in order with none missing.
//
// The children are always run with Node (`node --import tsx`, node is on
// PATH), whichever runtime (Node, Deno or Bun) runs this file: the parent only
// spawns them and talks to them over stdin/stdout.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { before, describe, it } from "node:test";
import { partitionOf } from "../../core/consumers/mod.ts";
import type { RecordedMessage } from "../../mod.ts";
import { createPostgresStore, type PostgresEventStore } from "../../stores/postgres/mod.ts";
import { ROOT } from "../_paths.ts";
import { followOutput } from "../_process.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { until } from "../_until.ts";

const CRASH_CHILD = "tests/consumers/_crash_child.ts";
const GROUP_CHILD = "tests/consumers/_group_child.ts";
/** SIGKILLs of the crash test (issue 5 asks for at least 50). */
const KILLS = 50;
/** Children kept loaded and waiting for "go", so a restart does not wait for Node and tsx to start. */
const STANDBYS = 3;
const PARTITIONS = 6;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const random = (n: number) => Math.floor(Math.random() * n);

/** Every child still running, so that the teardown can kill them whatever happened. */
const live = new Set<Child>();

/** A child process run with Node, spoken to by lines on stdin and heard by lines on stdout. */
class Child {
  readonly proc: ChildProcess;
  /** Everything it printed, for failure messages. */
  output = "";
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  #lines = new Set<string>();
  #waiters: { line: string; resolve: () => void }[] = [];
  #exit: { code: number | null; signal: string | null } | undefined;

  constructor(readonly name: string, script: string, env: Record<string, string>) {
    this.proc = spawn("node", ["--import", "tsx", script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    live.add(this);
    this.proc.stdin!.on("error", () => {}); // writing to a killed child
    followOutput(this.proc, (text) => (this.output += text), (lines) => {
      for (const line of lines) {
        this.#lines.add(line);
        for (const waiter of this.#waiters.filter((w) => w.line === line)) waiter.resolve();
      }
    });
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: string | null) => {
        live.delete(this);
        this.#exit ??= { code, signal };
        resolve(this.#exit);
        for (const waiter of this.#waiters) waiter.resolve();
      };
      this.proc.once("exit", done);
      this.proc.once("error", (error) => {
        this.output += String(error);
        done(null, null);
      });
    });
  }

  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  /** Resolves once the child printed `line`; rejects if it exits first or after `timeout` ms. */
  async waitFor(line: string, timeout: number): Promise<void> {
    if (!this.#lines.has(line) && this.#exit === undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        const waiter = { line, resolve };
        this.#waiters.push(waiter);
        timer = setTimeout(resolve, timeout);
      });
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((w) => w.line !== line);
    }
    if (!this.#lines.has(line)) {
      throw new Error(
        `${this.name} did not print "${line}" (${
          this.#exit ? `exited ${JSON.stringify(this.#exit)}` : `within ${timeout} ms`
        }):\n${this.output}`,
      );
    }
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.#exit === undefined) this.proc.kill("SIGKILL");
    await this.exited;
  }

  /** Asks it to stop gracefully; it must exit on its own with code 0 within `timeout` ms. */
  async stop(timeout = 15_000): Promise<void> {
    this.send("stop");
    this.proc.stdin!.end();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((
      resolve,
    ) => (timer = setTimeout(() => resolve("late"), timeout)));
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (result === "late") {
      await this.kill();
      throw new Error(`${this.name} did not exit within ${timeout} ms of "stop":\n${this.output}`);
    }
    assert.equal(
      result.code,
      0,
      `${this.name} exited with ${JSON.stringify(result)}:\n${this.output}`,
    );
  }
}

async function readLines(file: string): Promise<string[]> {
  return (await readFile(file, "utf8")).split("\n").filter((line) => line !== "");
}

async function readWholeCategory(
  store: PostgresEventStore,
  category: string,
): Promise<RecordedMessage[]> {
  return await store.readCategory(category).toArray();
}

/** Appends 1–3 messages to random streams of `category` from `writers` loops, each pausing 0–`pause` ms between appends, until stopped. */
function startWriters(
  store: PostgresEventStore,
  category: string,
  options: { streams: number; writers: number; pause: number },
) {
  const { streams, writers, pause } = options;
  const controller = new AbortController();
  let appended = 0;
  const running = Promise.all(
    Array.from({ length: writers }, async () => {
      while (!controller.signal.aborted) {
        const count = 1 + random(3);
        const messages = Array.from(
          { length: count },
          () => ({ type: "Deposited", data: { amount: 1 + random(100) } }),
        );
        await store.append(`${category}-${random(streams)}`, messages);
        appended += count;
        await sleep(random(pause + 1));
      }
    }),
  );
  running.catch(() => {}); // awaited by stop()
  return {
    appended: () => appended,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}

describe("consumers on PostgreSQL in child processes killed with SIGKILL", () => {
  const pg = usePostgres({ max: 10 });
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ordo-crash-"));
  });

  // Before the pool ends: no child outlives the test, whatever happened.
  pg.cleanup(async () => {
    await Promise.all([...live].map((child) => child.kill()));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Waits until the server has no connection left from the child named `name` (its last commit, if any, is over). */
  const connectionsGone = (name: string) =>
    until(
      async () =>
        (await pg
          .sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${name}`)[
            0
          ].n === 0,
      () => `connections of ${name} still open`,
      10_000,
      10,
    );

  it(`a same-database projection is exact and every email went out after ${KILLS} SIGKILLs mid-run`, async () => {
    const started = performance.now();
    const group = "acct-totals";
    const store = createPostgresStore(pg.sql, { schema: "crash" });
    await store.migrate();
    await pg.sql.unsafe(`
      CREATE SCHEMA crashproj;
      CREATE TABLE crashproj.totals (stream text PRIMARY KEY, count int NOT NULL, total bigint NOT NULL);
      -- No unique constraint: a message applied twice shows up as two rows.
      CREATE TABLE crashproj.applied (seq bigserial PRIMARY KEY, message_id uuid NOT NULL, stream text NOT NULL, version int NOT NULL);
    `);
    const effectsFile = join(dir, "emails.log");
    await writeFile(effectsFile, "");
    let spawned = 0;
    const standbys: Child[] = [];
    const spawnStandby = () => {
      const name = `crash-child-${++spawned}`;
      standbys.push(
        new Child(name, CRASH_CHILD, {
          DATABASE_URL: pg.server.url,
          ORDO_SCHEMA: "crash",
          PROJ_SCHEMA: "crashproj",
          EFFECTS_FILE: effectsFile,
          CONSUMER_GROUP: group,
          CHILD_NAME: name,
        }),
      );
    };
    const checkpoint = async (): Promise<bigint> => {
      const rows = await pg
        .sql`SELECT position::text AS p FROM crash.checkpoints WHERE grp = ${group} AND partition = 0`;
      return rows.length === 0 ? 0n : BigInt(rows[0].p as string);
    };

    const writers = startWriters(store, "acct", { streams: 30, writers: 2, pause: 300 });
    const scope = `${group}/email`;
    let kills = 0;
    let killsAfterProgress = 0;
    /** Ids whose email was sent and not yet recorded when a child was killed. */
    const inWindow = new Set<string>();
    let head: bigint;
    let caughtUpMs: number;
    let backlog: number;
    try {
      for (let i = 0; i < STANDBYS; i++) spawnStandby();
      let lastCheckpoint = 0n;
      while (kills < KILLS) {
        const child = standbys.shift()!;
        spawnStandby();
        await child.waitFor("loaded", 60_000);
        child.send("go");
        await child.waitFor("handling", 30_000);
        await sleep(20 + random(131));
        await child.kill();
        kills++;
        // The next process starts once the server has dropped the dead one's connections. A consumer
        // outside a group holds no lease, so one started while the server is still running a COMMIT
        // the dead process sent could handle that message again; a supervisor's restart comes later anyway.
        await connectionsGone(child.name);
        const now = await checkpoint();
        if (now > lastCheckpoint) killsAfterProgress++;
        lastCheckpoint = now;
        // Emails sent but not recorded: the documented window. One message is in flight at a time, so at most one.
        const recorded = new Set(
          (await pg.sql`SELECT key FROM crash.processed WHERE scope = ${scope}`).map((r) =>
            r.key as string
          ),
        );
        const unrecorded = [...new Set(await readLines(effectsFile))].filter((id) =>
          !recorded.has(id)
        );
        assert.ok(
          unrecorded.length <= 1,
          `after kill ${kills}, emails sent but not recorded: ${unrecorded.join(", ")}`,
        );
        for (const id of unrecorded) inWindow.add(id);
      }
      await writers.stop();
      head = await store.headPosition();

      // A last child catches up and stops cleanly; the other standbys stop before starting.
      const final = standbys.shift()!;
      await Promise.all(standbys.splice(0).map((standby) => standby.stop()));
      const catchUpStarted = performance.now();
      backlog = Number(head + 1n - (await checkpoint()));
      await final.waitFor("loaded", 60_000);
      final.send("go");
      await until(
        async () => (await checkpoint()) > head,
        async () => `checkpoint ${await checkpoint()}, head ${head}:\n${final.output}`,
        60_000,
        10,
      );
      caughtUpMs = performance.now() - catchUpStarted;
      await final.stop();
    } finally {
      await writers.stop().catch(() => {});
      await Promise.all([...live].map((child) => child.kill()));
    }

    const messages = await readWholeCategory(store, "acct");
    assert.equal(messages.at(-1)?.globalPosition, head);
    const ids = messages.map((m) => m.id).sort();

    // The read model, exactly: every message counted once per stream.
    const expected = new Map<string, { count: number; total: number }>();
    for (const m of messages) {
      const row = expected.get(m.streamName) ?? { count: 0, total: 0 };
      row.count++;
      row.total += (m.data as { amount: number }).amount;
      expected.set(m.streamName, row);
    }
    const totals = await pg
      .sql`SELECT stream, count, total::int AS total FROM crashproj.totals ORDER BY stream`;
    assert.deepEqual(
      totals.map((r) => ({ stream: r.stream, count: r.count, total: r.total })),
      [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stream, row]) => ({
        stream,
        ...row,
      })),
    );
    const applied = await pg
      .sql`SELECT message_id::text AS id, count(*)::int AS n FROM crashproj.applied GROUP BY message_id`;
    assert.deepEqual(
      applied.filter((r) => r.n !== 1).map((r) => r.id),
      [],
      "messages applied more than once",
    );
    assert.deepEqual(applied.map((r) => r.id).sort(), ids, "messages applied (nothing lost)");

    // The idempotency helper's records: each message once, in the group's "email" scope.
    const processed = await pg
      .sql`SELECT key, count(*)::int AS n FROM crash.processed WHERE scope = ${scope} GROUP BY key`;
    assert.deepEqual(processed.filter((r) => r.n !== 1).map((r) => r.key), []);
    assert.deepEqual(processed.map((r) => r.key as string).sort(), ids);

    // The emails: every message at least once; a repeat only from a kill between the effect and its record.
    const sent = new Map<string, number>();
    for (const id of await readLines(effectsFile)) sent.set(id, (sent.get(id) ?? 0) + 1);
    assert.deepEqual([...sent.keys()].sort(), ids, "every email went out, and no other");
    const duplicates = [...sent.values()].reduce((sum, n) => sum + n - 1, 0);
    console.log(
      `crash test: ${kills} SIGKILLs (${killsAfterProgress} after the checkpoint had moved), ${messages.length} messages in ${expected.size} streams, ` +
        `${duplicates} duplicate emails (${inWindow.size} kills between an email and its record), final catch-up of ${backlog} positions ${
          Math.round(caughtUpMs)
        } ms, ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
    );
    assert.ok(
      duplicates <= kills,
      `${duplicates} duplicate emails after ${kills} kills: more than one per kill`,
    );
    const unexplained = [...sent].filter(([id, n]) => n > 1 && !inWindow.has(id));
    assert.deepEqual(
      unexplained,
      [],
      "emails repeated without a kill between sending and recording them",
    );
    assert.ok(kills >= 50);
  });

  it("a group of 3 processes, one killed and one added mid-run, commits every message once, in stream order", async () => {
    const started = performance.now();
    const group = "job-log";
    const store = createPostgresStore(pg.sql, { schema: "grp" });
    await store.migrate();
    await pg.sql.unsafe(`
      CREATE SCHEMA grpproj;
      CREATE TABLE grpproj.log (seq bigserial PRIMARY KEY, member text NOT NULL, partition int NOT NULL,
        stream text NOT NULL, version int NOT NULL, message_id uuid NOT NULL);
    `);
    const member = (name: string) =>
      new Child(name, GROUP_CHILD, {
        DATABASE_URL: pg.server.url,
        ORDO_SCHEMA: "grp",
        PROJ_SCHEMA: "grpproj",
        CONSUMER_GROUP: group,
        MEMBER: name,
        PARTITIONS: String(PARTITIONS),
      });
    const logged = async (name: string) =>
      (await pg.sql`SELECT count(*)::int AS n FROM grpproj.log WHERE member = ${name}`)[0]
        .n as number;
    const outputs = () => [...live].map((c) => `--- ${c.name}\n${c.output}`).join("\n");

    const members = new Map<string, Child>();
    let writers: ReturnType<typeof startWriters> | undefined;
    let head: bigint;
    let killedAt: string | undefined;
    const phases: string[] = [];
    const handledBy = new Map<string, number>();
    try {
      for (const name of ["m1", "m2", "m3"]) members.set(name, member(name));
      await Promise.all([...members.values()].map((m) => m.waitFor("caught-up", 60_000)));
      writers = startWriters(store, "job", { streams: 40, writers: 3, pause: 30 });
      phases.push(`members up ${Math.round(performance.now() - started)} ms`);
      // Kill m2 once it is surely working, inside a handler's open transaction (its log row written,
      // not committed), then add m4 and write on until m4 handles messages too.
      await until(async () => (await logged("m2")) >= 100, outputs, 30_000, 10);
      phases.push(`m2 working ${Math.round(performance.now() - started)} ms`);
      const deadline = performance.now() + 30_000;
      let polls = 0;
      while (killedAt === undefined) {
        polls++;
        const open = await pg
          .sql`SELECT left(query, 60) AS q FROM pg_stat_activity WHERE application_name = 'm2' AND state = 'idle in transaction'`;
        if (open.length > 0) {
          members.get("m2")!.proc.kill("SIGKILL");
          killedAt = open.map((r) => r.q as string).join(" | ").replace(/\s+/g, " ");
        } else if (performance.now() > deadline) {
          throw new Error(`m2 never seen inside a transaction:\n${outputs()}`);
        }
      }
      await members.get("m2")!.kill();
      phases.push(`m2 killed after ${polls} polls ${Math.round(performance.now() - started)} ms`);
      handledBy.set("m2 (at the kill)", await logged("m2"));
      members.set("m4", member("m4"));
      await until(async () => (await logged("m4")) >= 30, outputs, 30_000, 10);
      phases.push(`m4 working ${Math.round(performance.now() - started)} ms`);
      await writers.stop();
      head = await store.headPosition();
      const total = writers.appended();
      await until(
        async () => {
          const [{ n }] = await pg
            .sql`SELECT count(DISTINCT message_id)::int AS n FROM grpproj.log`;
          const [{ behind }] = await pg
            .sql`SELECT ${PARTITIONS}::int - count(*)::int AS behind FROM grp.checkpoints
            WHERE grp = ${group} AND position > ${String(head)}::bigint`;
          return n === total && behind === 0;
        },
        outputs,
        30_000,
        10,
      );
      phases.push(`all committed ${Math.round(performance.now() - started)} ms`);
      for (const name of ["m1", "m3", "m4"]) await members.get(name)!.stop();
    } finally {
      await writers?.stop().catch(() => {});
      await Promise.all([...members.values()].map((m) => m.kill()));
    }

    const messages = await readWholeCategory(store, "job");
    assert.equal(messages.at(-1)?.globalPosition, head);
    const log = await pg
      .sql`SELECT member, partition, stream, version, message_id::text AS id FROM grpproj.log ORDER BY seq`;
    for (const row of log) {
      handledBy.set(row.member as string, (handledBy.get(row.member as string) ?? 0) + 1);
    }

    // Every message committed exactly once.
    const counts = new Map<string, number>();
    for (const row of log) counts.set(row.id as string, (counts.get(row.id as string) ?? 0) + 1);
    assert.deepEqual(
      [...counts].filter(([, n]) => n !== 1),
      [],
      "messages committed more than once",
    );
    assert.deepEqual(
      [...counts.keys()].sort(),
      messages.map((m) => m.id).sort(),
      "messages committed (nothing lost)",
    );

    // Per stream, in commit order: versions 0, 1, 2, … with none missing, each in its stream's partition.
    const versions = new Map<string, number[]>();
    for (const row of log) {
      assert.equal(
        row.partition,
        partitionOf(row.stream as string, PARTITIONS),
        `${row.stream} handled in partition ${row.partition}`,
      );
      versions.set(row.stream as string, [
        ...(versions.get(row.stream as string) ?? []),
        row.version as number,
      ]);
    }
    for (const [stream, seen] of versions) {
      assert.deepEqual(
        seen,
        seen.map((_, i) => i),
        `versions of ${stream} in commit order`,
      );
    }

    assert.ok((handledBy.get("m2") ?? 0) > 0 && (handledBy.get("m4") ?? 0) > 0);
    console.log(
      `group test: ${messages.length} messages in ${versions.size} streams, ${PARTITIONS} partitions; m2 killed in a transaction at "${killedAt}"; handled by ` +
        `${[...handledBy].map(([m, n]) => `${m}: ${n}`).join(", ")}; ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s (${phases.join(", ")})`,
    );
  });
});
