// A stopped consumer leaves nothing that keeps a process alive: no timer, no
// listener, no pending wait, no store poll. Checked on child processes that
// must exit by themselves.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROOT } from "../_paths.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { run } from "../_process.ts";
import { CURRENT_RUNTIME } from "../_runtimes.ts";

describe("consumers in a process", () => {
  it("let the process exit on its own once stopped, even mid-backoff and with group heartbeats", async () => {
    // `run` kills the child and fails the test if it is still alive after the timeout.
    const result = await run("node", ["--import", "tsx", "tests/consumers/_exit_child.ts"], {
      cwd: ROOT,
      timeout: 30_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "stopped after 3 messages\n");
  });

  it(`let the process exit once stopped on PGlite, with the store's poll armed (${CURRENT_RUNTIME.name})`, async () => {
    // The store polls every ten minutes; `run` fails the test after 60 s.
    const result = await run(
      CURRENT_RUNTIME.command,
      CURRENT_RUNTIME.args("tests/consumers/_poll_exit_child.ts"),
      { cwd: ROOT, timeout: 60_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "stopped after 1 message\n");
  });
});

describe("consumers in a process, on PostgreSQL", () => {
  const pg = usePostgres({ max: 2, schema: "pool_ended" });

  it(`let the process exit when the pool is ended before the waiting consumer stops (${CURRENT_RUNTIME.name})`, async () => {
    // A LISTEN socket left connecting would keep the child up for 30 s; `run` fails the test after 20.
    const result = await run(
      CURRENT_RUNTIME.command,
      CURRENT_RUNTIME.args("tests/consumers/_pool_ended_child.ts"),
      {
        cwd: ROOT,
        timeout: 20_000,
        env: { ORDO_TEST_URL: pg.server.url, ORDO_TEST_SCHEMA: "pool_ended" },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "stopped 5 consumers after 5 messages\n");
  });
});
