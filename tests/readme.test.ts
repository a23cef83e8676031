// The README's first screen must stay true: its example is examples/readme.ts
// word for word (but for the import), and both it and the demo run.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "./_paths.ts";
import { run } from "./_process.ts";

describe("README.md", () => {
  it("shows examples/readme.ts as its example", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const example = await readFile(join(ROOT, "examples", "readme.ts"), "utf8");
    const block = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
    assert.equal(block, example.replace('from "../mod.ts"', 'from "ordo"'));
  });

  it("has an example that runs and prints what its comments say", async () => {
    const result = await run("node", ["--import", "tsx", "examples/readme.ts"], { cwd: ROOT, timeout: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      'revenue: 42\ntrue Cannot append to stream "order-1": expected version 0, current version is 1\n',
    );
  });

  it("has a demo that runs the whole flow", async () => {
    const result = await run("node", ["--import", "tsx", "examples/demo.ts"], { cwd: ROOT, timeout: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /retry {7}same id -> deduplicated=true, original position 1/);
    assert.match(result.stdout, /refused {5}Cannot append to stream "order-2": expected version 0, current version is 1/);
    assert.match(result.stdout, /read model \(open orders and their totals\):\n {2}order 1: 30\n\n/);
  });
});
