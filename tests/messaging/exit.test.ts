// A bus whose calls have answered leaves nothing that keeps the process
// alive: a call's deadline timer goes when the call does, and a subscriber's
// retry backoff when the bus closes. Checked on child processes that must
// exit by themselves, under each runtime.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";
import { CURRENT_RUNTIME, RUNTIMES } from "../_runtimes.ts";

describe("a bus in a process", () => {
  for (const runtime of RUNTIMES) {
    it(`lets the process exit once its calls answered, under long timeouts (${runtime.name})`, async () => {
      const started = Date.now();
      const result = await run(
        runtime.command,
        runtime.args("tests/messaging/_deadline_exit_child.ts"),
        { cwd: ROOT, timeout: 30_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '[{"locked":"u-1"},{"id":"u-2"}]\n');
      // The calls' timeouts are 45 and 60 s; start-up takes a few seconds at most.
      assert.ok(Date.now() - started < 20_000, `exited after ${Date.now() - started} ms`);
    });
  }

  it(`lets the process exit once closed while a subscriber waits out a retry backoff (${CURRENT_RUNTIME.name})`, async () => {
    // The backoff is ten minutes; `run` kills the child and fails the test after 30 s.
    const result = await run(
      CURRENT_RUNTIME.command,
      CURRENT_RUNTIME.args("tests/messaging/_retry_exit_child.ts"),
      { cwd: ROOT, timeout: 30_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "closed after 1 attempt\n");
  });
});
