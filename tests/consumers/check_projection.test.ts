// ordo/testing's checkProjection on the example projections (in memory, and in
// a SQL table on PGlite), on the project's own consumer (its crash check
// drives createConsumer), and on projections with known bugs, which it must
// catch with a report that shows the shortest history and the first
// differing read-model entry in the message itself.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import type { OrderEvent } from "../../examples/order_events.ts";
import { orderTotals } from "../../examples/order_totals_projection.ts";
import { orderTotalsPageTable } from "../../examples/order_totals_page_table.ts";
import { orderTotalsTable } from "../../examples/order_totals_table.ts";
import type { RecordedMessageOf } from "../../mod.ts";
import type { PGliteTransaction } from "../../stores/postgres/mod.ts";
import { AssertionError, checkProjection, type HistoryEventOf } from "../../testing/mod.ts";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";
import { settles } from "../_until.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

const order = fc.constantFrom("order-1", "order-2", "order-3");
const orderEvents: fc.Arbitrary<HistoryEventOf<OrderEvent>[]> = fc.array(
  fc.oneof(
    fc.record({
      streamName: order,
      type: fc.constant<"OrderPlaced">("OrderPlaced"),
      data: fc.record({ total: fc.nat(100) }),
    }),
    fc.record({
      streamName: order,
      type: fc.constant<"ItemAdded">("ItemAdded"),
      data: fc.record({ price: fc.nat(20) }),
    }),
    fc.record({
      streamName: order,
      type: fc.constantFrom<"OrderShipped" | "OrderCancelled">("OrderShipped", "OrderCancelled"),
      data: fc.constant({}),
    }),
  ),
  { maxLength: 25 },
);

/** The report of a failed check: the check's name, the first difference, the shortest history, a diff. */
const reports = (check: RegExp, first: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AssertionError, `expected ordo's AssertionError, got ${error}`);
  assert.match(error.message, check);
  assert.match(error.message, first);
  assert.match(
    error.message,
    /history \(the shortest found, \d+ event\(s\), after \d+ shrinks\):\n {4}1\. order-/,
  );
  assert.match(error.message, /replay with parameters: \{ seed: -?\d+, path: "[\d:]*" \}/);
  assert.match(error.message, /\n {2}- clean pass\n {2}\+ after /);
  return true;
};

const naive = {
  init: () => new Map<string, number>(),
  apply: (counts: Map<string, number>, m: { readonly streamName: string }) =>
    void counts.set(m.streamName, (counts.get(m.streamName) ?? 0) + 1),
};

describe("checkProjection()", () => {
  it("refuses an unknown option or check, naming the nearest", async () => {
    await assert.rejects(
      checkProjection(fc, { projection: naive, events: orderEvents, parameter: {} } as never),
      { name: "ValidationError", message: /options\.parameter.*did you mean "parameters"/ },
    );
    await assert.rejects(
      checkProjection(
        fc,
        { projection: naive, events: orderEvents, checks: { crash: false } } as never,
      ),
      { name: "ValidationError", message: /options\.checks\.crash.*did you mean "crashes"/ },
    );
  });

  it("passes the example order-totals projection under duplicates, crashes and interleavings, printing nothing", async () => {
    // The crash check fails handlers and commits on purpose: none of that may reach the console.
    const printed: unknown[] = [];
    const { error, warn } = console;
    console.error = (...args: unknown[]) => void printed.push(args[0]);
    console.warn = (...args: unknown[]) => void printed.push(args[0]);
    try {
      await checkProjection(fc, {
        projection: orderTotals,
        events: orderEvents,
        parameters: propertyParameters(100),
      });
    } finally {
      console.error = error;
      console.warn = warn;
    }
    assert.deepEqual(printed.filter((line) => String(line).startsWith("ordo ")), []);
  });

  it("catches a projection that double-counts redelivered messages, and says where in its message", async () => {
    await assert.rejects(
      checkProjection(fc, {
        projection: naive,
        events: orderEvents,
        checks: { interleavings: false, crashes: false },
        parameters: { numRuns: 200 },
      }),
      reports(
        /^checkProjection: the read model after duplicated deliveries differs from one clean pass\n/,
        /\n {2}first difference at Map\["order-\d"\]: expected (\d+), got (?!\1\n)\d+\n/,
      ),
    );
    await assert.rejects(
      checkProjection(fc, {
        projection: naive,
        events: orderEvents,
        checks: { interleavings: false, duplicates: false },
        parameters: { numRuns: 200 },
      }),
      reports(/after crashes and restarts of a consumer differs/, /first difference at Map\[/),
    );
  });

  it("catches a projection that depends on the order across streams", async () => {
    const lastGlobally = {
      init: () => ({ last: "" }),
      apply: (model: { last: string }, m: { readonly streamName: string }) =>
        void (model.last = m.streamName),
    };
    await assert.rejects(
      checkProjection(fc, {
        projection: lastGlobally,
        events: orderEvents,
        checks: { duplicates: false, crashes: false },
        parameters: { numRuns: 200 },
      }),
      reports(/after another interleaving of streams differs/, /first difference at \["last"\]/),
    );
  });

  it("reports a projection that throws, with its error as the cause", async () => {
    const failing = {
      init: () => 0,
      apply: (_: number, m: { readonly type: string }) => {
        if (m.type === "OrderCancelled") throw new RangeError("cannot cancel");
      },
    };
    await assert.rejects(
      checkProjection(fc, { projection: failing, events: orderEvents }),
      (error: unknown) =>
        error instanceof AssertionError && error.cause instanceof RangeError &&
        /^checkProjection: the projection threw: RangeError: cannot cancel\n {2}it threw in one clean pass of the history, each message once, in order\n {2}history/
          .test(
            error.message,
          ),
    );
  });

  it("loads without fast-check or PGlite: testing/ imports them for types only", async () => {
    const fs = await import("node:fs/promises");
    for (const file of await fs.readdir(`${ROOT}testing`)) {
      const source = await fs.readFile(`${ROOT}testing/${file}`, "utf8");
      for (
        const line of source.split("\n").filter((l) =>
          /^(import|export) .*from "(fast-check|@electric-sql\/pglite)"/.test(l)
        )
      ) assert.match(line, /^import type /, `${file}: ${line}`);
    }
  });

  it("has runnable examples", async () => {
    const projection = await run("node", ["--import", "tsx", "examples/projection.ts"], {
      cwd: ROOT,
      timeout: 60_000,
    });
    assert.equal(projection.stdout, "order 1: 35\norder 3: 7\n", projection.stderr);
    const check = await run("node", ["--import", "tsx", "examples/check_projection.ts"], {
      cwd: ROOT,
      timeout: 120_000,
    });
    assert.equal(
      check.stdout,
      "orderTotals gives one clean pass's read model under every check\n",
      check.stderr,
    );
  });
});

describe("checkProjection() of a SQL projection on PGlite", () => {
  let database: PGlite;
  before(async () => {
    database = new PGlite();
    await database.waitReady;
  });
  after(() => database.close());

  it("passes the example order-totals table under duplicates, crashes and interleavings", async () => {
    await checkProjection(fc, {
      database,
      projection: orderTotalsTable,
      events: orderEvents,
      parameters: propertyParameters(30),
    });
  });

  it("passes the example order-totals table written by a page handler, pages cut at random", async () => {
    await checkProjection(fc, {
      database,
      projection: orderTotalsPageTable,
      events: orderEvents,
      parameters: propertyParameters(30),
    });
  });

  it("catches a page handler that forgets all but the last message of an order in its page", async () => {
    const lastOnly = {
      ...orderTotalsPageTable,
      applyPage: (tx: PGliteTransaction, page: readonly RecordedMessageOf<OrderEvent>[]) =>
        orderTotalsPageTable.applyPage(
          tx,
          page.filter((m, i) => !page.slice(i + 1).some((x) => x.streamName === m.streamName)),
        ),
    };
    await assert.rejects(
      checkProjection(fc, {
        database,
        projection: lastOnly,
        events: orderEvents,
        checks: { duplicates: false, interleavings: false, crashes: false },
        parameters: { numRuns: 100 },
      }),
      reports(/after pages cut at random differs/, /first difference at \[\d+\]/),
    );
  });

  const counter = {
    reset: async (db: PGlite) =>
      void await db.exec(
        "CREATE TABLE IF NOT EXISTS counts (stream text PRIMARY KEY, n int NOT NULL); TRUNCATE counts",
      ),
    apply: async (tx: PGliteTransaction, m: { readonly streamName: string }) =>
      void await tx.query(
        "INSERT INTO counts VALUES ($1, 1) ON CONFLICT (stream) DO UPDATE SET n = counts.n + 1",
        [m.streamName],
      ),
    view: async (db: PGlite) =>
      (await db.query("SELECT stream, n FROM counts ORDER BY stream")).rows,
  };

  it("refuses a SQL projection without view before it touches the database", async () => {
    await assert.rejects(
      checkProjection(fc, {
        database,
        projection: { reset: counter.reset, apply: counter.apply },
        events: orderEvents,
        schema: "never_made",
      } as never),
      {
        name: "ValidationError",
        message:
          /^Invalid options\.projection\.view \(undefined\): the projection needs view\(db\)/,
      },
    );
    const { rows } = await database.query(
      "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'never_made'",
    );
    assert.deepEqual(rows, []);
  });

  it("catches a table that double-counts redelivered messages, naming the row", async () => {
    await assert.rejects(
      checkProjection(fc, {
        database,
        projection: counter,
        events: orderEvents,
        checks: { interleavings: false, crashes: false },
        parameters: { numRuns: 50 },
      }),
      reports(
        /after duplicated deliveries differs/,
        /first difference at \[\d+\]\["n"\]: expected \d+, got \d+\n/,
      ),
    );
  });

  it("reports a SQL projection that throws under the crash check at once, not after retries", async () => {
    // It remembers the ids it applied outside the transaction, so after a
    // crash rolled its writes back it refuses the redelivery, every time.
    const applied = new Set<string>();
    const refusing = {
      ...counter,
      reset: async (db: PGlite) => {
        applied.clear();
        await counter.reset(db);
      },
      apply: async (tx: PGliteTransaction, m: { readonly id: string; streamName: string }) => {
        if (applied.has(m.id)) throw new RangeError("already applied");
        applied.add(m.id);
        await counter.apply(tx, m);
      },
    };
    const check = checkProjection(fc, {
      database,
      projection: refusing,
      events: orderEvents,
      checks: { duplicates: false, interleavings: false },
      parameters: { numRuns: 20 },
    });
    await assert.rejects(
      settles(check, "checkProjection"),
      (error: unknown) =>
        error instanceof AssertionError && error.cause instanceof RangeError &&
        /^checkProjection: the projection threw: RangeError: already applied\n/.test(error.message),
    );
  });

  it("rolls a crashed handler's writes back with the checkpoint, as in production", async () => {
    // The same counter passes the crash check: its writes through tx commit with the checkpoint.
    await checkProjection(fc, {
      database,
      projection: counter,
      events: orderEvents,
      checks: { duplicates: false, interleavings: false },
      parameters: propertyParameters(20),
    });
  });
});
