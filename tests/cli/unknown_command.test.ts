// A misspelt command gets the nearest one named, as a misspelt option does;
// a word that is no near miss gets the pointer to --help alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../../cli/mod.ts";

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = "", stdout = "";
  const code = await runCli(args, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    isTTY: false,
    columns: 100,
    env: {},
    signal: new AbortController().signal,
    cwd: ".",
  });
  return { code, stderr, stdout };
}

describe("ordo <unknown command>", () => {
  it("suggests the nearest command for a misspelling, and exits 2", async () => {
    for (
      const [typed, meant] of [["stauts", "status"], ["consumer", "consumers"], ["taill", "tail"], [
        "parkd",
        "parked",
      ]]
    ) {
      const result = await run([typed]);
      assert.equal(result.code, 2, typed);
      assert.equal(
        result.stderr,
        `ordo: unknown command "${typed}": did you mean "ordo ${meant}"? (ordo --help lists the commands)\n`,
      );
      assert.equal(result.stdout, "");
    }
  });

  it("suggests nothing for a word that is no near miss", async () => {
    const result = await run(["frobnicate"]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'ordo: unknown command "frobnicate": run ordo --help to see the commands\n',
    );
  });

  it("suggests the nearest form of ordo parked for a misspelt one", async () => {
    const result = await run(["parked", "replya", "0b7c1c2e-7a4d-4e43-9d59-6c1f2b3a4d5e"]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /Unknown form "ordo parked replya 0b7c1c2e-7a4d-4e43-9d59-6c1f2b3a4d5e": did you mean "ordo parked replay 0b7c1c2e-7a4d-4e43-9d59-6c1f2b3a4d5e"\? run ordo parked --help/,
    );
  });
});
