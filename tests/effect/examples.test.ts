// The Effect examples run and print exactly what they say (the guide's
// Effect page shows examples/effect_readme.ts: tests/docs.test.ts holds that).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";

describe("Effect examples", () => {
  it("examples/effect_readme.ts runs and prints the conflict and the revenue", async () => {
    const result = await run("node", ["--import", "tsx", "examples/effect_readme.ts"], {
      cwd: ROOT,
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      'Cannot append to stream "order-1": expected no stream, current version is 0\nrevenue: 42\n',
    );
  });

  it("examples/effect_projection.ts runs, stops at a checkpoint and resumes from it", async () => {
    const result = await run("node", ["--import", "tsx", "examples/effect_projection.ts"], {
      cwd: ROOT,
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /stopped at checkpoint 6/);
    assert.match(result.stdout, /order 1: 35\norder 3: 8\n$/);
  });

  it("examples/effect_bus.ts runs: typed commands, a refusal as a HandlerError, a query, events retried by a Schedule", async () => {
    const result = await run("node", ["--import", "tsx", "examples/effect_bus.ts"], {
      cwd: ROOT,
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      "order 1 placed at version 0\norder 1 again: refused (OrderExists)\ntotal of order 1: 30\nrevenue: 42\nemails: 2 sent after 2 retries\n",
    );
  });
});
