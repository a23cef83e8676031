// Every example runs, prints what its comments say it prints, and exits by
// itself within 2 s of its last line: no timer, poll, listener or connection
// left behind keeps the process alive, and the example calls no close() but
// the ones it says it needs. The README's and the guide's code blocks are
// examples word for word (tests/docs.test.ts), so this runs them too.
//
// Each example runs as a child process under the runtime running this file,
// so `npm test` (the tree under Deno, Bun and Node) covers the three. An
// example that reads DATABASE_URL gets a fresh database on a PostgreSQL
// server this test starts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../_paths.ts";
import { type PostgresServer, startPostgres } from "../_postgres_server.ts";
import { run, type RunResult } from "../_process.ts";
import { CURRENT_RUNTIME } from "../_runtimes.ts";
import { missingOutput, promisedOutput } from "../_user_code.ts";

/** Examples run elsewhere, and why. */
const ELSEWHERE: Record<string, string> = {
  "examples/demo.ts": "tests/readme.test.ts runs it on PGlite and PostgreSQL",
  "examples/ecommerce": "tests/examples/ecommerce.test.ts runs the services and the client",
};
/** Children at once: the machine has two cores, and PGlite takes one for seconds. */
const CONCURRENCY = 3;
/** How long after its last line an example may take to exit. */
const EXIT_WITHIN = 2000;

function files(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (path in ELSEWHERE) return [];
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Whether an example is a file of `node:test` tests. */
const isTestFile = (code: string) => /from "node:test"/.test(code);

/** How many tests a runner's output says passed (Deno: "2 passed", Bun: "2 pass", Node: "pass 2"). */
function passed(output: string): number {
  const counts = [...output.matchAll(/\b(\d+) pass(?:ed)?\b|\bpass (\d+)\b/g)];
  return counts.reduce((sum, match) => Math.max(sum, Number(match[1] ?? match[2])), 0);
}

/** Programs: not private (`_`), and no module that other examples import (it exports). */
const PROGRAMS = files("examples").filter((file) =>
  !file.split("/").pop()!.startsWith("_") &&
  !/^export /m.test(readFileSync(join(ROOT, file), "utf8"))
);

describe(`every example (${CURRENT_RUNTIME.name})`, () => {
  const runs = new Map<string, Promise<RunResult>>();
  const servers: PostgresServer[] = [];

  before(() => {
    const queue = [...PROGRAMS];
    const next = async (): Promise<void> => {
      const file = queue.shift();
      if (file === undefined) return;
      const code = readFileSync(join(ROOT, file), "utf8");
      const needsPostgres = code.includes("DATABASE_URL");
      // A file of tests runs under the runtime's test runner, as its reader would run it.
      const args = isTestFile(code) ? CURRENT_RUNTIME.testArgs(file) : CURRENT_RUNTIME.args(file);
      const ran = (async () => {
        const server = needsPostgres ? await startPostgres() : undefined;
        if (server) servers.push(server);
        return await run(CURRENT_RUNTIME.command, args, {
          cwd: ROOT,
          timeout: 120_000,
          // NODE_TEST_CONTEXT would tell a child `node --test` that it runs inside this test, and it would skip its tests.
          env: { DATABASE_URL: server?.url ?? "", NO_COLOR: "1", NODE_TEST_CONTEXT: undefined },
        });
      })();
      // The test reads the outcome; the queue only waits for the child to end.
      runs.set(file, ran);
      await ran.catch(() => {});
      await next();
    };
    for (let i = 0; i < CONCURRENCY; i++) void next();
  });

  after(async () => {
    await Promise.allSettled(runs.values());
    await Promise.all(servers.map((server) => server.stop()));
  });

  it("are found: the README's quick start among them", () => {
    assert.ok(PROGRAMS.includes("examples/readme.ts"), PROGRAMS.join(", "));
  });

  for (const file of PROGRAMS) {
    it(`${file} runs, prints what it says, and exits by itself`, async () => {
      // Started in order by before(); wait for this one's turn to come.
      while (!runs.has(file)) await new Promise((resolve) => setTimeout(resolve, 50));
      const result = await runs.get(file)!;
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      const code = readFileSync(join(ROOT, file), "utf8");
      if (isTestFile(code)) {
        const declared = code.match(/^test\(/gm)?.length ?? 0;
        assert.equal(
          passed(result.stdout + result.stderr),
          declared,
          result.stdout + result.stderr,
        );
      }
      const promised = promisedOutput(code);
      assert.deepEqual(missingOutput(result.stdout, promised), [], result.stdout);
      assert.ok(
        result.lingered < EXIT_WITHIN,
        `${file} exited ${result.lingered} ms after its last line`,
      );
    });
  }
});
