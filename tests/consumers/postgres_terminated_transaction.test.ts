// The server ends a consumer's transaction in the middle (a restart, a
// failover, pg_terminate_backend): on postgres.js 4 the process goes on, the
// message is delivered again and applied once, and nothing is lost. On
// postgres.js 3.4 postgres.js itself ends the process with an uncaught
// TypeError (porsager/postgres#1154, #1208) that ordo cannot catch; that runs
// in a child process, and asserts that it is still so: if a 3.4 release
// fixes it, this test fails and docs/guide/operations.md should say so.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { POSTGRES_JS_3, POSTGRES_JS_4 } from "../_postgres_drivers.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { run } from "../_process.ts";
import { CURRENT_RUNTIME } from "../_runtimes.ts";
import { terminateMidTransaction } from "./_terminated_transaction.ts";

describe("a consumer whose transaction the server terminates (postgres.js 4)", () => {
  const pg = usePostgres({ max: 4, driver: POSTGRES_JS_4.postgres });

  it("goes on: the message is delivered again, applied once, and nothing is lost", async () => {
    const outcome = await terminateMidTransaction(pg.sql, pg.client(), "terminated");
    assert.deepEqual(outcome.applied, outcome.appended, outcome.lines.join("\n"));
    assert.equal(outcome.calls[outcome.interrupted], 2, JSON.stringify(outcome.calls));
    for (const id of outcome.appended) {
      if (id !== outcome.interrupted) assert.equal(outcome.calls[id], 1, id);
    }
    // The failed attempt was reported, as the server's termination.
    assert.ok(
      outcome.lines.some((line) =>
        line.includes("terminating connection due to administrator command")
      ),
      outcome.lines.join("\n"),
    );
  });
});

describe("a consumer whose transaction the server terminates (postgres.js 3.4)", () => {
  const pg = usePostgres({ max: 1 });

  it("ends the process with postgres.js's uncaught TypeError: 3.4 only", async () => {
    const file = new URL("./_terminated_transaction_child.ts", import.meta.url).pathname;
    const result = await run(CURRENT_RUNTIME.command, CURRENT_RUNTIME.args(file), {
      env: { DATABASE_URL: pg.server.url, DRIVER_MODULE: POSTGRES_JS_3.module },
      timeout: 60_000,
    });
    const said = `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
    assert.notEqual(result.code, 0, said);
    assert.match(result.stderr, /TypeError/, said);
    assert.match(result.stderr, /nextWrite|socket\.write/, said);
    // It may have printed "survived" first: under Bun the TypeError can come
    // on a later tick, after the scenario finished.
  });
});
