// The README's first screen must stay true: its example is examples/readme.ts
// word for word (but for the import), and both it and the demo run.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "./_paths.ts";
import { spawn } from "node:child_process";
import process from "node:process";
import { startPostgres } from "./_postgres_server.ts";
import { followOutput, run } from "./_process.ts";

describe("README.md", () => {
  it("shows examples/readme.ts as its example", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const example = await readFile(join(ROOT, "examples", "readme.ts"), "utf8");
    const block = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
    assert.equal(block, example.replace('from "../mod.ts"', 'from "ordo"'));
  });

  it("has an example that runs and prints what its comments say", async () => {
    const result = await run("node", ["--import", "tsx", "examples/readme.ts"], {
      cwd: ROOT,
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      'revenue: 42\ntrue Cannot append to stream "order-1": expected version 0, current version is 1\n',
    );
  });

  // Further blocks that are example files word for word (but for the imports), and what they print.
  const blocks = [
    {
      file: "examples/check_projection.ts",
      prints: /^orderTotals gives one clean pass's read model/,
    },
    { file: "examples/cart.ts", prints: /^$/ },
    { file: "examples/decider.ts", prints: /^\[ 'apple' \] false 1\nThe cart is checked out\n$/ },
    { file: "examples/cart_spec.ts", test: true },
  ];
  for (const { file, prints, test } of blocks) {
    it(`shows ${file} as a block, and it runs`, async () => {
      const readme = await readFile(join(ROOT, "README.md"), "utf8");
      const example = (await readFile(join(ROOT, file), "utf8"))
        .replace('from "../mod.ts"', 'from "ordo"')
        .replace('from "../testing/mod.ts"', 'from "ordo/testing"');
      assert.ok(readme.includes("```ts\n" + example + "```"), `README.md shows ${file}`);
      const result = await run(
        "node",
        ["--import", "tsx", ...(test ? ["--test"] : []), file],
        { cwd: ROOT, timeout: 120_000 },
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      if (prints !== undefined) assert.match(result.stdout, prints);
    });
  }

  for (const where of ["PGlite", "DATABASE_URL"] as const) {
    it(`has a demo that runs the whole flow (${where})`, async () => {
      const server = where === "DATABASE_URL" ? await startPostgres() : undefined;
      try {
        const result = await run("node", ["--import", "tsx", "examples/demo.ts"], {
          cwd: ROOT,
          timeout: 120_000,
          env: { DATABASE_URL: server?.url ?? "" },
        });
        assert.equal(result.code, 0, result.stderr);
        assert.match(
          result.stdout,
          where === "PGlite"
            ? /\(PGlite, embedded in this process\)/
            : /\(PostgreSQL at 127\.0\.0\.1:\d+ \(schema ordo_demo\)\)/,
        );
        assert.match(result.stdout, /orders {5}placed order 1001 and published orders\/placed/);
        assert.match(result.stdout, /inventory {2}reserved \{"apple":2\} for order 1001/);
        assert.match(result.stdout, /inventory {2}reserved \{"pear":1,"apple":1\} for order 1002/);
        assert.match(result.stdout, /<- \{"locked":true,"userId":"ada"\}/);
        assert.match(result.stdout, /orders\/place 1003 refused: user ada is locked/);
        assert.match(
          result.stdout,
          /<- \{"orderId":"1002","events":\["0:OrderPlaced","1:orders\/placed"\]\}/,
        );
        assert.match(
          result.stdout,
          /stock after reservations:\n {2}inventory {2}apple: 7\n {2}inventory {2}pear: 3\n/,
        );
      } finally {
        await server?.stop();
      }
    });
  }

  it("has a demo that leaves the console open on 127.0.0.1 with --console, says where, and stops on Ctrl-C", async () => {
    const child = spawn("node", ["--import", "tsx", "examples/demo.ts", "--console"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "" },
      stdio: "pipe",
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    followOutput(child, (text) => (output += text), () => {});
    try {
      const deadline = Date.now() + 90_000;
      while (!/Ctrl-C stops the demo/.test(output)) {
        if (Date.now() > deadline) throw new Error(`the console never opened:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const url = /console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1];
      const token = /log in with the operator token ([0-9a-f-]{36})/.exec(output)![1];
      assert.equal((await fetch(url)).status, 200);
      const consumers = await (await fetch(`${url}api/consumers`, {
        headers: { authorization: `Bearer ${token}` },
      })).json();
      assert.ok(
        consumers.groups.some((g: { group: string; state: string }) =>
          g.group === "inventory" && g.state === "running"
        ),
        JSON.stringify(consumers),
      );
    } finally {
      process.kill(child.pid!, "SIGINT");
    }
    assert.equal(await exited, 0, output);
  });
});
