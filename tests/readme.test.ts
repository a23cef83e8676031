// The demo the README's first screen offers (`npm run demo`) runs the whole
// flow on PGlite and on a PostgreSQL server, prints every message with its
// correlation and causation ids, touches no schema it did not create, and
// exits by itself once done. Under the runtime running this file.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import postgres from "postgres";
import { spawn } from "node:child_process";
import process from "node:process";
import { ROOT } from "./_paths.ts";
import { startPostgres } from "./_postgres_server.ts";
import { followOutput, run } from "./_process.ts";
import { CURRENT_RUNTIME } from "./_runtimes.ts";

function runDemo(env: Record<string, string>, args: readonly string[] = []) {
  return run(CURRENT_RUNTIME.command, [...CURRENT_RUNTIME.args("examples/demo.ts"), ...args], {
    cwd: ROOT,
    timeout: 120_000,
    env,
  });
}

/** The flow's lines, the same on either store. */
function assertFlow(stdout: string): void {
  assert.match(stdout, /orders {5}placed order 1001 and published orders\/placed/);
  assert.match(stdout, /inventory {2}reserved \{"apple":2\} for order 1001/);
  assert.match(stdout, /inventory {2}reserved \{"pear":1,"apple":1\} for order 1002/);
  assert.match(stdout, /<- \{"locked":true,"userId":"ada"\}/);
  assert.match(stdout, /orders\/place 1003 refused: user ada is locked/);
  assert.match(stdout, /<- \{"orderId":"1002","events":\["0:OrderPlaced","1:orders\/placed"\]\}/);
  assert.match(
    stdout,
    /stock after reservations:\n {2}inventory {2}apple: 7\n {2}inventory {2}pear: 3\n/,
  );

  // Every stored message shows its ids; what the command caused carries its
  // correlation id and names it as the cause.
  const stored = [
    ...stdout.matchAll(
      /^ {2}store {6}#\d+ (\S+)@\d+ (\S+) \[id (\w{8}) correlation (\w{8}) causation (\w{8}|-)\]$/gm,
    ),
  ].map(([, stream, type, id, correlation, causation]) => ({
    stream,
    type,
    id,
    correlation,
    causation,
  }));
  assert.ok(stored.length >= 12, stdout);
  const command = stored.find((m) => m.type === "orders/place")!;
  assert.equal(command.correlation, command.id);
  assert.equal(command.causation, "-");
  const placed = stored.filter((m) => m.stream === "order-1001");
  assert.deepEqual(placed.map((m) => m.type), ["OrderPlaced", "orders/placed"]);
  for (const caused of placed) {
    assert.deepEqual([caused.correlation, caused.causation], [command.id, command.id]);
  }
  assert.match(
    stdout,
    new RegExp(
      `reserved \\{"apple":2\\} for order 1001 \\[id \\w{8} correlation ${command.id} causation ${command.id}\\]`,
    ),
  );
}

describe("README.md", () => {
  it("shows examples/readme.ts as its example", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const example = await readFile(join(ROOT, "examples", "readme.ts"), "utf8");
    const block = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
    assert.equal(block, example.replace('from "../mod.ts"', 'from "ordo"'));
  });
});

describe(`npm run demo (${CURRENT_RUNTIME.name})`, () => {
  it("runs the whole flow on PGlite and exits by itself", async () => {
    const result = await runDemo({ DATABASE_URL: "" });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\(PGlite, embedded in this process\)/);
    assertFlow(result.stdout);
    assert.ok(result.lingered < 2000, `exited ${result.lingered} ms after its last line`);
  });

  it("runs it on PostgreSQL in a schema of its own, leaving every other schema alone", async () => {
    const server = await startPostgres();
    const sql = postgres(server.url, { onnotice: () => {} });
    try {
      // A schema named as the demo's used to be, with a table of the user's.
      await sql.unsafe("CREATE SCHEMA ordo_demo; CREATE TABLE ordo_demo.mine (x int)");
      const result = await runDemo({ DATABASE_URL: server.url });
      assert.equal(result.code, 0, result.stderr);
      const schema =
        /\(PostgreSQL at 127\.0\.0\.1:\d+, in the new schema (ordo_demo_[0-9a-f]{10})\)/
          .exec(result.stdout)?.[1];
      assert.ok(schema, result.stdout);
      assertFlow(result.stdout);
      assert.match(result.stdout, new RegExp(`dropped schema ${schema}, made by this run`));
      assert.ok(result.lingered < 2000, `exited ${result.lingered} ms after its last line`);

      const kept = await runDemo({ DATABASE_URL: server.url }, ["--keep"]);
      assert.equal(kept.code, 0, kept.stderr);
      const keptSchema = /kept schema (ordo_demo_[0-9a-f]{10});/.exec(kept.stdout)?.[1];
      assert.ok(keptSchema, kept.stdout);

      const schemas = await sql<{ name: string }[]>`
        SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'ordo_demo%' ORDER BY 1`;
      assert.deepEqual(schemas.map((s) => s.name).sort(), ["ordo_demo", keptSchema].sort());
      assert.deepEqual([...await sql`SELECT * FROM ordo_demo.mine`], []);
    } finally {
      await sql.end();
      await server.stop();
    }
  });

  it("leaves the console open on 127.0.0.1 with --console, says where, and stops on Ctrl-C", async () => {
    const child = spawn(
      CURRENT_RUNTIME.command,
      [...CURRENT_RUNTIME.args("examples/demo.ts"), "--console"],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: "" }, stdio: "pipe" },
    );
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
      // process.kill, not child.kill: Deno's node:child_process reports no exit code after child.kill.
      process.kill(child.pid!, "SIGINT");
    }
    assert.equal(await exited, 0, output);
  });
});
