// npm users get JavaScript and .d.ts files (Node does not run .ts files from
// node_modules): this builds the package as `npm run build` does, installs it
// into a scratch node_modules, and imports it from plain Node by name.
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "./_paths.ts";
import { run } from "./_process.ts";

describe("the built npm package", () => {
  let work: string;
  let pkg: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "ordo-build-"));
    pkg = join(work, "node_modules", "ordo");
    await mkdir(pkg, { recursive: true });
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const built = await run("node", [
      tsc,
      "-p",
      join(ROOT, "tsconfig.build.json"),
      "--outDir",
      join(pkg, "dist"),
    ], {
      cwd: ROOT,
      timeout: 120_000,
    });
    assert.equal(built.code, 0, built.stdout + built.stderr);
    await cp(join(ROOT, "package.json"), join(pkg, "package.json"));
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("ships declaration files next to the JavaScript", async () => {
    const types = await readFile(join(pkg, "dist", "mod.d.ts"), "utf8");
    assert.match(types, /createMemoryStore/);
    assert.match(types, /EventStore/);
  });

  it("ships the ordo command as package.json's bin: built JavaScript with a shebang that runs on Node", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    const bin = join(pkg, manifest.bin.ordo);
    assert.match(await readFile(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
    const help = await run("node", [bin, "--help"], { cwd: work, timeout: 30_000 });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: ordo <command> \[options\]/);
  });

  it("imports by package name and subpath from Node and works", async () => {
    await writeFile(
      join(work, "main.mjs"),
      `import { createMemoryStore, ValidationError } from "ordo";
import { createMemoryStore as fromSubpath } from "ordo/stores/memory";
const store = createMemoryStore();
const result = await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
const invalid = await store.append("", [{ type: "T", data: {} }]).catch((e) => e);
console.log(JSON.stringify({ version: result.streamVersion, same: fromSubpath === createMemoryStore, invalid: invalid instanceof ValidationError }));
`,
    );
    const result = await run("node", ["main.mjs"], { cwd: work, timeout: 30_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout.trim()), { version: 0, same: true, invalid: true });
  });
});
