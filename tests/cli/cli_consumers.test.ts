// `ordo consumers`, `parked` and `rebuild` against consumers running in this
// test's process, so that the command line sees them only through the
// storage and the store, as it sees a user's services.
import assert from "node:assert/strict";
import process from "node:process";
import { before, describe, it } from "node:test";
import {
  type Consumer,
  createConsumer,
  createGroupConsumer,
  type ParkedMessage,
  silentLogger,
} from "../../mod.ts";
import { createPostgresConsumerStorage } from "../../stores/postgres/mod.ts";
import { until } from "../contract/_consumer_fixtures.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { json, ordo, said, startOrdo } from "./_cli_fixture.ts";

const NO_DELAY = { initialDelay: 0, maxDelay: 0 } as const;

describe("ordo: consumers and parked messages", () => {
  const pg = usePostgres({ max: 8, schema: "cli_ops", store: { pollInterval: 100 } });
  const run = (...args: string[]) => ordo([...args, "--schema", "cli_ops"], { url: pg.server.url });
  const running: Consumer[] = [];
  let fixed = false;
  let poison: string;

  before(async () => {
    const storage = createPostgresConsumerStorage(pg.sql, { schema: "cli_ops" });
    // Stopped before the pool ends (the fixture's teardown runs its cleanups first).
    pg.cleanup(() => Promise.all(running.map((c) => c.stop())));
    await pg.sql.unsafe(
      "CREATE TABLE cli_ops.totals_read (stream text PRIMARY KEY, total int NOT NULL)",
    );
    const placed = await pg.store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
    poison = placed.positions[0].id;
    await pg.store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);
    await pg.store.append("order-1", [{ type: "OrderShipped", data: {} }]);
    const audit = createConsumer(pg.store, {
      group: "audit",
      source: { all: true },
      storage,
      logger: silentLogger,
      controlInterval: 100,
      handler: () => {},
    });
    await audit.caughtUp;
    await audit.stop();
    await pg.store.append("user-1", [{ type: "UserJoined", data: {} }]);
    await pg.store.append("user-2", [{ type: "UserJoined", data: {} }]);
    running.push(createConsumer(pg.store, {
      group: "totals",
      source: { category: "order" },
      storage,
      logger: silentLogger,
      controlInterval: 100,
      retry: { maxAttempts: 1, ...NO_DELAY },
      handler: (m) => {
        if (!fixed && (m.data as { total?: number }).total === 30) {
          throw new TypeError("total 30 is cursed");
        }
      },
    }));
    running.push(createGroupConsumer(pg.store, {
      group: "shipping",
      source: { category: "order", types: ["OrderShipped"] },
      partitions: 2,
      member: "m1",
      storage,
      logger: silentLogger,
      controlInterval: 100,
      handler: () => {},
    }));
    await Promise.all(running.map((c) => c.caughtUp));
    await until(async () => (await storage.control!.running()).length === 2, "announced");
  });

  it("consumers shows every group: state, source, partitions and owners, lag, parked, last error", async () => {
    const result = await run("consumers");
    assert.equal(result.code, 0, said(result));
    const lines = result.stdout.split("\n");
    assert.match(lines[0], /^GROUP +STATE +READS +PARTITIONS +LAG +PARKED +LAST ERROR$/);
    assert.match(lines[1], /^audit +stopped +all +1 +2 +0 +-$/);
    assert.match(lines[2], /^shipping +running +category order \[OrderShipped\] +2 +0 +0 +-$/);
    assert.match(
      lines[3],
      /^totals +running +category order +1 +0 +1 +TypeError: total 30 is cursed$/,
    );
    assert.match(result.stdout, /^shipping: 1 running$/m);
    assert.match(result.stdout, /^ +0 +m1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +\d+ +0$/m);
    assert.match(result.stdout, /^ +1 +m1 +/m);
  });

  it("consumers --json gives each group as data, and a group unknown exits 1", async () => {
    const result = await run("consumers", "totals", "--json");
    assert.equal(result.code, 0, said(result));
    const [totals] = json(result) as Record<string, unknown>[];
    const running = totals.running as { instance: string; startedAt: string; expiresAt: string }[];
    assert.equal(running.length, 1);
    // Every time in the output is ISO 8601, as startedAt is.
    assert.match(running[0].expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(running[0].expiresAt) > Date.parse(running[0].startedAt));
    const lastError = totals.lastError as Record<string, unknown>;
    assert.deepEqual({
      ...totals,
      running: undefined,
      seenAt: typeof totals.seenAt,
      lastError: undefined,
      oldestParkedAt: typeof totals.oldestParkedAt,
    }, {
      group: "totals",
      source: { category: "order" },
      partitionCount: 1,
      state: "running",
      running: undefined,
      members: [],
      head: "5",
      lag: 0,
      lagCapped: false,
      parked: 1,
      oldestParkedAt: "string",
      lastError: undefined,
      pendingReplays: 0,
      seenAt: "string",
      partitions: [{ partition: 0, checkpoint: "4", lag: 0, lagCapped: false }],
    });
    assert.deepEqual({ ...lastError, at: typeof lastError.at }, {
      phase: "handler",
      name: "TypeError",
      message: "total 30 is cursed",
      at: "string",
      messageId: poison,
      attempt: 1,
    });
    const unknown = await run("consumers", "nope");
    assert.equal(unknown.code, 1, said(unknown));
    assert.match(unknown.stderr, /No consumer group "nope": run ordo consumers/);
  });

  it("parked lists parked messages; show gives one whole; an unknown id exits 1", async () => {
    const list = await run("parked");
    assert.equal(list.code, 0, said(list));
    assert.match(list.stdout, /^GROUP +MESSAGE ID +STREAM +TYPE +ATTEMPTS +PARKED AT +ERROR$/m);
    assert.match(
      list.stdout,
      new RegExp(
        `^totals +${poison} +order-1@0 +OrderPlaced +1 +.*TypeError: total 30 is cursed$`,
        "m",
      ),
    );
    const [entry] = json(await run("parked", "totals", "--json")) as ParkedMessage[];
    assert.equal(entry.message.id, poison);
    const show = await run("parked", "show", poison);
    assert.equal(show.code, 0, said(show));
    assert.match(show.stdout, /^Group +totals \(partition 0\)$/m);
    assert.match(show.stdout, /^Stream +order-1 version 0, position 1$/m);
    assert.match(show.stdout, /^Error +TypeError: total 30 is cursed$/m);
    assert.match(show.stdout, /^Data +\{"total":30\}$/m);
    assert.match(show.stdout, /^Stack\nTypeError: total 30 is cursed/m);
    const missing = await run("parked", "show", crypto.randomUUID());
    assert.equal(missing.code, 1, said(missing));
    assert.match(missing.stderr, /No parked message ".*": ordo parked lists them/);
  });

  it("parked replay runs in the group's running consumer: failing again exits 1, fixed exits 0", async () => {
    const again = await run("parked", "replay", poison);
    assert.equal(again.code, 1, said(again));
    assert.equal(
      again.stdout,
      `${poison} (totals) failed again, still parked: TypeError: total 30 is cursed\n`,
    );
    const [entry] = json(await run("parked", "totals", "--json")) as ParkedMessage[];
    assert.equal(entry.attempts, 2);
    fixed = true;
    const replayed = await run("parked", "replay", poison, "--json");
    assert.equal(replayed.code, 0, said(replayed));
    assert.deepEqual(json(replayed), [{
      group: "totals",
      running: 1,
      outcomes: [{ messageId: poison, outcome: "replayed" }],
    }]);
    assert.equal((await run("parked")).stdout, "No parked messages.\n");
  });

  it("parked replay with no consumer of the group running says the request is recorded, exits 3 at once, and one that starts takes it", async () => {
    const storage = createPostgresConsumerStorage(pg.sql, { schema: "cli_ops" });
    const [message] = await pg.store.readStream("user-1");
    await storage.parked.park({
      group: "audit",
      partition: 0,
      message,
      error: { name: "Error", message: "disk full" },
      attempts: 5,
      parkedAt: new Date().toISOString(),
    });
    const started = Date.now();
    const waiting = await run("parked", "replay", message.id, "--wait", "20");
    // 3, not 1: the request is recorded and will run, which exit 1 read as "nothing happened".
    assert.equal(waiting.code, 3, said(waiting));
    assert.ok(Date.now() - started < 15_000, "no consumer to wait for: it returns at once");
    assert.equal(
      waiting.stderr,
      `No consumer of group "audit" is running: the replay of 1 message is recorded and runs when one starts.\n`,
    );
    assert.equal(
      waiting.stdout,
      `${message.id} (audit) recorded; runs when a consumer of the group starts\n`,
    );
    const asJson = await run("parked", "replay", message.id, "--json");
    assert.equal(asJson.code, 3, said(asJson));
    assert.deepEqual(json(asJson), [{
      group: "audit",
      running: 0,
      outcomes: [{ messageId: message.id, outcome: "pending" }],
    }]);
    const noWait = await run("parked", "replay", "--all", "--group", "audit", "--no-wait");
    assert.equal(noWait.code, 0, said(noWait));
    const status = json(await run("consumers", "audit", "--json")) as { pendingReplays: number }[];
    assert.equal(status[0].pendingReplays, 1, "asked twice is asked once");
    const audit = createConsumer(pg.store, {
      group: "audit",
      source: { all: true },
      storage,
      logger: silentLogger,
      controlInterval: 100,
      handler: () => {},
    });
    try {
      await until(
        async () => (await storage.parked.get("audit", message.id)) === undefined,
        "replayed",
      );
    } finally {
      await audit.stop();
    }
  });

  // A message of `stream` parked in `group`, and a running consumer of the group whose handler
  // holds whatever it is given (the replay) until released.
  async function parkedAndHeld(group: string, stream: string) {
    const storage = createPostgresConsumerStorage(pg.sql, { schema: "cli_ops" });
    const [message] = await pg.store.readStream(stream);
    await storage.parked.park({
      group,
      partition: 0,
      message,
      error: { name: "Error", message: "timeout" },
      attempts: 1,
      parkedAt: new Date().toISOString(),
    });
    let release = () => {};
    const held = new Promise<void>((resolve) => release = resolve);
    let taken = false;
    const consumer = createConsumer(pg.store, {
      group,
      source: { category: "nothing" },
      storage,
      logger: silentLogger,
      controlInterval: 100,
      handler: () => {
        taken = true;
        return held;
      },
    });
    await consumer.caughtUp;
    await until(
      async () => (await storage.control!.running()).some((r) => r.group === group),
      "announced",
    );
    return {
      message,
      storage,
      taken: () => taken,
      stop: async () => (release(), await consumer.stop()),
      release: () => release(),
    };
  }

  it("parked replay that a running consumer has not finished within --wait exits 3 and says it goes on", async () => {
    const held = await parkedAndHeld("slow", "user-2");
    try {
      const late = await run("parked", "replay", held.message.id, "--wait", "1");
      assert.equal(late.code, 3, said(late));
      assert.match(late.stdout, new RegExp(`^${held.message.id} \\(slow\\) (recorded|taken)`));
      assert.equal(
        late.stderr,
        `Group "slow": the replay of 1 message did not finish within 1 s; its running consumer goes on with it (ordo parked shows when it is done).\n`,
      );
      held.release();
      await until(
        async () => (await held.storage.parked.get("slow", held.message.id)) === undefined,
        "replayed once released",
      );
    } finally {
      await held.stop();
    }
  });

  it("parked replay stopped by Ctrl-C while a running consumer has it says so, not that --wait ran out, and exits 3", async () => {
    const held = await parkedAndHeld("held", "user-1");
    try {
      const child = startOrdo(
        ["parked", "replay", held.message.id, "--wait", "60", "--schema", "cli_ops"],
        pg.server.url,
      );
      let stderr = "";
      child.stderr!.on("data", (chunk) => stderr += chunk);
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      await until(async () => held.taken(), "the consumer took the replay");
      // As Ctrl-C does. process.kill, not child.kill: after child.kill, Deno's
      // node:child_process reports the signal and no exit code, however the child exited.
      process.kill(child.pid!, "SIGINT");
      assert.equal(await exited, 3, stderr);
      assert.equal(
        stderr,
        `Group "held": the replay of 1 message was still running when Ctrl-C stopped the wait; its running consumer goes on with it (ordo parked shows when it is done).\n`,
      );
    } finally {
      await held.stop();
    }
  });

  it("parked never stops at its limit without saying so: how many of how many, and the next page's --after; an unknown group exits 1", async () => {
    const storage = createPostgresConsumerStorage(pg.sql, { schema: "cli_ops" });
    const messages = [
      ...await pg.store.readStream("order-1"),
      ...await pg.store.readStream("order-2"),
      ...await pg.store.readStream("user-2"),
    ].sort((a, b) => Number(a.globalPosition - b.globalPosition));
    for (const message of messages) {
      await storage.parked.park({
        group: "archive",
        partition: 0,
        message,
        error: { name: "Error", message: "archive offline" },
        attempts: 1,
        parkedAt: new Date().toISOString(),
      });
    }
    try {
      const first = await run("parked", "archive", "--limit", "2");
      assert.equal(first.code, 0, said(first));
      const cursor = messages[1].globalPosition;
      assert.match(
        first.stdout,
        new RegExp(
          `^Group "archive": 2 of 4 shown\\. More: ordo parked archive --after ${cursor} --limit 2$`,
          "m",
        ),
      );
      const asJson = await run("parked", "archive", "--limit", "2", "--json");
      assert.deepEqual(
        (json(asJson) as ParkedMessage[]).map((e) => e.message.id),
        messages.slice(0, 2).map((m) => m.id),
      );
      assert.match(asJson.stderr, /Group "archive": 2 of 4 shown\./, "beside the array, on stderr");
      const rest = await run("parked", "archive", "--after", String(cursor), "--json");
      assert.deepEqual(
        (json(rest) as ParkedMessage[]).map((e) => e.message.id),
        messages.slice(2).map((m) => m.id),
      );
      assert.equal(rest.stderr, "", "the last page says nothing more");

      const unknown = await run("parked", "archvie");
      assert.equal(unknown.code, 1, said(unknown));
      assert.match(unknown.stderr, /No consumer group "archvie": run ordo consumers/);
      const unknownReplay = await run("parked", "replay", "--all", "--group", "archvie");
      assert.equal(unknownReplay.code, 1, said(unknownReplay));
      const noGroup = await run("parked", "--after", "3");
      assert.equal(noGroup.code, 2, said(noGroup));
    } finally {
      for (const message of messages) await storage.parked.remove("archive", message.id);
    }
  });

  it("rebuild replays a projection module into its read model and reports progress; --json gives the result", async () => {
    // Progress runs to the category's newest message: the users appended after it are not its.
    const orders = await pg.store.readCategory("order").toArray();
    const end = orders[orders.length - 1].globalPosition;
    assert.ok(end < await pg.store.headPosition());
    // The projection reads OrderPlaced only; the category ends on an OrderShipped.
    const placed = orders.filter((m) => m.type === "OrderPlaced");
    const handled = placed[placed.length - 1].globalPosition;
    assert.ok(handled < end);
    const result = await run("rebuild", "tests/cli/_totals_projection.ts");
    assert.equal(result.code, 0, said(result));
    // The last line names the last message handled, not the checkpoint one past it.
    const line = new RegExp(
      `^Group "rebuilt-totals" rebuilt up to position ${handled}: 2 messages in [\\d.]+ s \\(\\d+ msg/s\\)$`,
      "m",
    );
    assert.match(result.stderr, line);
    const rows = await pg.sql.unsafe(
      "SELECT stream, total FROM cli_ops.totals_read ORDER BY stream",
    );
    assert.deepEqual(rows.map((r) => [r.stream, r.total]), [["order-1", 30], ["order-2", 12]]);
    await pg.sql.unsafe("UPDATE cli_ops.totals_read SET total = 0");
    const again = await run("rebuild", "tests/cli/_totals_projection.ts", "--json");
    assert.equal(again.code, 0, said(again));
    const final = json(again) as Record<string, unknown>;
    assert.deepEqual([final.group, final.processed, final.fraction, final.stopped], [
      "rebuilt-totals",
      2,
      1,
      false,
    ]);
    // Both checkpoints: one past the last message handled, and one past the
    // category's newest message, which the types filter passed over.
    assert.deepEqual([final.position, final.target], [String(handled + 1n), String(end + 1n)]);
    const after = await pg.sql.unsafe("SELECT sum(total)::int AS sum FROM cli_ops.totals_read");
    assert.equal(after[0].sum, 42, "reset cleared the read model, the replay filled it again");
    // Rebuilt but never run: what it reads is unknown, and the table says why.
    const listed = await run("consumers", "rebuilt-totals");
    assert.equal(listed.code, 0, said(listed));
    assert.match(listed.stdout, /^rebuilt-totals +stopped +\? /m);
    assert.match(listed.stdout, /^\? : no consumer of the group has run yet; .*ordo rebuild/m);
    const status = await run("status");
    assert.equal(status.code, 0, said(status));
    assert.match(status.stdout, /^ {2}rebuilt-totals +stopped +\? /m);
    assert.match(status.stdout, /^ {2}\? : no consumer of the group has run yet; /m);
  });

  it("rebuild that parks a message says how many and where to see them, and exits 1", async () => {
    const result = await run("rebuild", "tests/cli/_parking_projection.ts");
    assert.equal(result.code, 1, said(result));
    assert.match(
      result.stderr,
      /^Group "rebuilt-parking" rebuilt up to position \d+: 2 messages in [\d.]+ s \(\d+ msg\/s\), 1 parked: see ordo parked rebuilt-parking$/m,
    );
    const again = await run("rebuild", "tests/cli/_parking_projection.ts", "--json");
    assert.equal(again.code, 1, said(again));
    const final = json(again) as Record<string, unknown>;
    assert.deepEqual([final.processed, final.parked, final.stopped], [2, 1, false]);
  });

  it("rebuild refuses a group with a running consumer, a module that cannot load, exports no projection or misspells one", async () => {
    const busy = await run("rebuild", "tests/cli/_running_projection.ts");
    assert.equal(busy.code, 1, said(busy));
    assert.match(
      busy.stderr,
      /1 consumer\(s\) of group "totals" are running: stop them first .* or pass --force/,
    );
    const missing = await run("rebuild", "tests/cli/_nothing_here.ts");
    assert.equal(missing.code, 1, said(missing));
    assert.match(
      missing.stderr,
      /Cannot load .*_nothing_here\.ts: there is no such file \(a relative path is taken from /,
    );
    assert.doesNotMatch(missing.stderr, /_rebuild_command/);
    const none = await run("rebuild", "tests/cli/_cli_fixture.ts");
    assert.equal(none.code, 2, said(none));
    assert.match(
      none.stderr,
      /exports no projection: export const projection = \{ group, source, handler, reset\? \}/,
    );
    const misspelt = await run("rebuild", "tests/cli/_misspelt_projection.ts");
    assert.equal(misspelt.code, 2, said(misspelt));
    assert.match(
      misspelt.stderr,
      /_misspelt_projection\.ts: Invalid projection\.handlr \(a function\): unknown option; did you mean "handler"\?/,
    );
    const retry = await run("rebuild", "tests/cli/_retry_projection.ts");
    assert.equal(retry.code, 2, said(retry));
    assert.match(
      retry.stderr,
      /_retry_projection\.ts: Invalid projection\.retry \(Object\): unknown option; the options here are "group", "source", "handler", "reset", "batchSize" and "commit"/,
    );
  });
});
