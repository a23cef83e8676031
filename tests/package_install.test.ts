// The package as npm users get it: `npm pack` (which builds it through the
// `prepare` script) on a copy of this checkout, the tarball installed into a
// scratch project, and the README's quick start run from there by name —
// in plain Node ESM (the build), Bun (the source, by its condition), Deno (the
// build, typed by its declarations), through a bundler (esbuild, with the
// `import`/`default` conditions), and type-checked by tsc as a Node project.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { entryPoints } from "../scripts/entry_points.ts";
import { BUN, DENO, ROOT } from "./_paths.ts";
import { run } from "./_process.ts";
import { asUserCode, missingOutput, promisedOutput } from "./_user_code.ts";

const QUICK_START = asUserCode("examples/readme.ts");
/** esbuild's API, which tsx brings: the test strips types and bundles with it in child processes. */
const ESBUILD = JSON.stringify(join(ROOT, "node_modules", "esbuild", "lib", "main.js"));
const PROMISED = promisedOutput(QUICK_START);

describe("the package installed from its tarball", () => {
  let work: string;
  let app: string;
  let files: string[];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "ordo-pack-"));
    // A copy of the checkout as it is (uncommitted files included), without
    // its builds; its node_modules is this one's, for the build's tsc.
    const source = join(work, "source");
    await cp(ROOT, source, {
      recursive: true,
      filter: (path) => !/\/(node_modules|dist|\.git)$/.test(path) && !path.endsWith(".tgz"),
    });
    await symlink(join(ROOT, "node_modules"), join(source, "node_modules"), "dir");
    const packed = await run("npm", ["pack", "--pack-destination", work], {
      cwd: source,
      timeout: 120_000,
    });
    assert.equal(packed.code, 0, packed.stdout + packed.stderr);
    const tarball = join(work, packed.stdout.trim().split("\n").pop()!);
    files = spawnSync("tar", ["tzf", tarball], { encoding: "utf8" }).stdout.split("\n");

    app = join(work, "app");
    await mkdir(app);
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    const installed = await run(
      "npm",
      ["install", tarball, "--offline", "--no-audit", "--no-fund"],
      { cwd: app, timeout: 120_000 },
    );
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    // The optional peer dependencies the entries need (`effect` for ordo/effect,
    // `@opentelemetry/api` for ordo/opentelemetry, …), as a user would install them.
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    for (const name of Object.keys(manifest.peerDependencies ?? {})) {
      const target = join(app, "node_modules", name);
      await mkdir(join(target, ".."), { recursive: true });
      await symlink(join(ROOT, "node_modules", name), target, "dir").catch((error) => {
        if (error.code !== "EEXIST") throw error;
      });
    }

    // The quick start as TypeScript, and as the JavaScript a Node user would write.
    await writeFile(join(app, "quick_start.ts"), QUICK_START);
    await writeFile(
      join(app, "strip_types.mjs"),
      `import { readFileSync, writeFileSync } from "node:fs";
import { transformSync } from ${ESBUILD};
const { code } = transformSync(readFileSync("quick_start.ts", "utf8"), { loader: "ts", format: "esm" });
writeFileSync("quick_start.mjs", code);
`,
    );
    const stripped = await run("node", ["strip_types.mjs"], { cwd: app, timeout: 60_000 });
    assert.equal(stripped.code, 0, stripped.stderr);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function assertQuickStartRan(result: { code: number | null; stdout: string; stderr: string }) {
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(missingOutput(result.stdout, PROMISED), [], result.stdout);
  }

  it("holds the build with its declarations and the sources, and none of the tests", () => {
    for (const source of entryPoints().values()) {
      const built = source.replace(/^\.\//, "package/dist/").replace(/\.ts$/, "");
      assert.ok(files.includes(`${built}.js`), `${built}.js`);
      assert.ok(files.includes(`${built}.d.ts`), `${built}.d.ts`);
      assert.ok(files.includes(source.replace(/^\.\//, "package/")), source);
    }
    assert.ok(files.includes("package/README.md"));
    // Nor the generated API reference (`npm run docs`), were it built in this checkout.
    assert.deepEqual(
      files.filter((file) => /^package\/(tests|bench|examples|docs\/api)\//.test(file)),
      [],
    );
  });

  it("runs the quick start in plain Node ESM", async () => {
    assert.ok(PROMISED.length >= 2, "the quick start promises its output in comments");
    assertQuickStartRan(await run("node", ["quick_start.mjs"], { cwd: app, timeout: 60_000 }));
  });

  it("loads every entry point by name in plain Node ESM", async () => {
    const specifiers = [...entryPoints().keys()].map((subpath) =>
      subpath === "." ? "ordo" : `ordo${subpath.slice(1)}`
    );
    await writeFile(
      join(app, "entries.mjs"),
      `for (const name of ${JSON.stringify(specifiers)}) {
  const entry = await import(name);
  console.log(name, Object.keys(entry).length > 0);
}
`,
    );
    const result = await run("node", ["entries.mjs"], { cwd: app, timeout: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, specifiers.map((name) => `${name} true\n`).join(""));
  });

  it("installs the ordo command (package.json's bin): built JavaScript with a shebang, as npx runs it", async () => {
    const bin = join(app, "node_modules", ".bin", "ordo");
    assert.match(await readFile(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
    const help = await run(bin, ["--help"], { cwd: app, timeout: 30_000 });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: ordo <command> \[options\]/);
  });

  it("ordo rebuild given a TypeScript module on a Node that loads no TypeScript says how to run it", async () => {
    // As the RebuildableProjection example writes it: `ordo rebuild ./order_totals.ts`.
    await writeFile(
      join(app, "order_totals.ts"),
      `export const projection: { group: string } = { group: "totals" };\n`,
    );
    const bin = join(app, "node_modules", ".bin", "ordo");
    const result = await run(bin, ["rebuild", "./order_totals.ts", "--pglite", "./data"], {
      cwd: app,
      timeout: 30_000,
      env: { NODE_OPTIONS: "" },
    });
    if (result.code === 0 || !/Unknown file extension/.test(result.stderr)) {
      return; // a Node that strips types (22.18 and later) loads it: nothing to say
    }
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^ordo rebuild: Cannot load .*order_totals\.ts: Unknown file extension "\.ts".*: this Node loads no TypeScript by itself: run ordo with a loader \(NODE_OPTIONS="--import tsx" npx ordo rebuild \.\.\., with tsx installed\), give it the module compiled to JavaScript, or run bunx ordo or Deno$/m,
    );
  });

  it("runs the quick start in Bun, from the sources", async () => {
    assertQuickStartRan(await run(BUN, ["quick_start.ts"], { cwd: app, timeout: 60_000 }));
  });

  it("runs and type-checks the quick start in Deno, from the build and its declarations", async () => {
    assertQuickStartRan(
      await run(DENO, ["run", "-A", "quick_start.ts"], {
        cwd: app,
        timeout: 60_000,
        env: { NO_COLOR: "1" },
      }),
    );
    const checked = await run(DENO, ["check", "quick_start.ts"], {
      cwd: app,
      timeout: 60_000,
      env: { NO_COLOR: "1" },
    });
    assert.equal(checked.code, 0, checked.stderr);
  });

  it("type-checks the quick start with tsc as a Node project", async () => {
    await writeFile(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          types: [],
          lib: ["es2022", "dom"],
        },
        files: ["quick_start.ts"],
      }),
    );
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const checked = await run("node", [tsc, "-p", "."], { cwd: app, timeout: 120_000 });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });

  it("is bundled for the browser by esbuild and the bundle runs", async () => {
    await writeFile(
      join(app, "bundle.mjs"),
      `import { build } from ${ESBUILD};
await build({ entryPoints: ["quick_start.mjs"], bundle: true, platform: "browser", format: "esm", outfile: "out/bundle.mjs", logLevel: "error" });
`,
    );
    const bundled = await run("node", ["bundle.mjs"], { cwd: app, timeout: 60_000 });
    assert.equal(bundled.code, 0, bundled.stderr);
    const bundle = await readFile(join(app, "out", "bundle.mjs"), "utf8");
    assert.doesNotMatch(bundle, /from "ordo"/);
    assertQuickStartRan(await run("node", ["out/bundle.mjs"], { cwd: app, timeout: 60_000 }));
  });
});
