// mod.ts must load straight from a URL in Deno with no import map: this test
// serves the repository over HTTP on 127.0.0.1, as raw.githubusercontent.com
// serves a tagged commit (`/<tag>/mod.ts`, as text/plain), and has Deno import
// it; then through an import map that pins the tag, as the README shows.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { after, before, describe, it } from "node:test";
import { entryPoints } from "../scripts/entry_points.ts";
import { DENO, ROOT } from "./_paths.ts";
import { run } from "./_process.ts";
import { asUserCode, missingOutput, promisedOutput } from "./_user_code.ts";

describe("mod.ts imported from a URL in Deno", () => {
  let server: Server;
  let origin: string;
  let work: string;

  before(async () => {
    server = createServer(async (request, response) => {
      // Serve only the library's own TypeScript; anything else (node_modules above all) is a 404.
      // Any tag serves this checkout.
      const path = normalize(decodeURIComponent(new URL(request.url!, "http://x").pathname))
        .replace(/^\/+/, "").replace(/^v\d+\.\d+\.\d+\//, "");
      const allowed = /^(mod\.ts|(core|stores|transports|admin|cli)\/.+\.ts)$/.test(path) &&
        !path.includes("..");
      if (!allowed) {
        response.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(join(ROOT, path));
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = await mkdtemp(join(tmpdir(), "ordo-url-"));
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  it("appends and reads through the memory store", async () => {
    const script = join(work, "main.ts");
    await writeFile(
      script,
      `import { createMemoryStore, ConcurrencyError } from "http://${origin}/mod.ts";
const store = createMemoryStore();
await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }], { expectedVersion: "no-stream" });
const conflict = await store.append("order-1", [{ type: "X", data: {} }], { expectedVersion: "no-stream" }).catch((e) => e);
const [placed] = await store.readCategory("order").toArray();
console.log(JSON.stringify({ type: placed.type, data: placed.data, position: String(placed.globalPosition), conflict: conflict instanceof ConcurrencyError }));
`,
    );
    // A config-less run in an empty cache directory: nothing but the URL can satisfy the import.
    const result = await run(DENO, [
      "run",
      "--no-config",
      "--no-lock",
      `--allow-import=${origin}`,
      script,
    ], {
      cwd: work,
      env: { DENO_DIR: join(work, "deno-cache"), NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout.trim()), {
      type: "OrderPlaced",
      data: { total: 3 },
      position: "1",
      conflict: true,
    });
  });

  it("loads the store adapters, which import their drivers' types only", async () => {
    const script = join(work, "adapters.ts");
    await writeFile(
      script,
      `import { createPGliteStore, createPostgresStore } from "http://${origin}/stores/postgres/mod.ts";
import { createEventStoreDbStore } from "http://${origin}/stores/eventstoredb/mod.ts";
console.log([createPGliteStore, createPostgresStore, createEventStoreDbStore].map((f) => typeof f).join(","));
`,
    );
    const result = await run(DENO, [
      "run",
      "--no-config",
      "--no-lock",
      `--allow-import=${origin}`,
      script,
    ], {
      cwd: work,
      env: { DENO_DIR: join(work, "deno-cache"), NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "function,function,function");
  });

  it("loads the NATS store and transport, which take the connection and the headers factory", async () => {
    const script = join(work, "nats.ts");
    await writeFile(
      script,
      `import { createNatsConsumerStorage, createNatsStore } from "http://${origin}/stores/nats/mod.ts";
import { createNatsTransport } from "http://${origin}/transports/nats/mod.ts";
const connection = { request() {}, subscribe() {}, publish() {} } as never;
const headers = () => ({}) as never;
const store = createNatsStore(connection, { headers });
createNatsConsumerStorage(connection, { headers });
createNatsTransport(connection, { headers, store });
console.log(store.stream);
`,
    );
    const result = await run(DENO, [
      "run",
      "--no-config",
      "--no-lock",
      `--allow-import=${origin}`,
      script,
    ], {
      cwd: work,
      env: { DENO_DIR: join(work, "deno-cache"), NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "ORDO");
  });

  it("runs the ordo command line from its URL, loading no driver until a command connects", async () => {
    const deno = (...args: string[]) =>
      run(
        DENO,
        ["run", "--no-config", "--no-lock", "-A", `http://${origin}/cli/main.ts`, ...args],
        {
          cwd: work,
          env: { DENO_DIR: join(work, "deno-cache"), NO_COLOR: "1", DATABASE_URL: "" },
          timeout: 60_000,
        },
      );
    const help = await deno("--help");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: ordo <command> \[options\]/);
    const unnamed = await deno("status");
    assert.equal(unnamed.code, 2, unnamed.stderr);
    assert.match(unnamed.stderr, /No database named/);
  });

  it('runs the quick start written against "ordo" through an import map pinned to a tag', async () => {
    // The README's deno.json: every entry point mapped to its file at one tag.
    const imports = Object.fromEntries(
      [...entryPoints()].map(([subpath, source]) => [
        subpath === "." ? "ordo" : `ordo${subpath.slice(1)}`,
        `http://${origin}/v0.1.0/${source.replace(/^\.\//, "")}`,
      ]),
    );
    await writeFile(join(work, "deno.json"), JSON.stringify({ imports }));
    const quickStart = asUserCode("examples/readme.ts");
    await writeFile(join(work, "quick_start.ts"), quickStart);
    const result = await run(DENO, [
      "run",
      "--config",
      "deno.json",
      "--no-lock",
      `--allow-import=${origin}`,
      "quick_start.ts",
    ], {
      cwd: work,
      env: { DENO_DIR: join(work, "deno-cache"), NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const promised = promisedOutput(quickStart);
    assert.ok(promised.length >= 2);
    assert.deepEqual(missingOutput(result.stdout, promised), [], result.stdout);
  });
});
