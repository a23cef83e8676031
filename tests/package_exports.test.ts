// deno.json's "exports" is the one list of entry points; package.json must
// say the same, entry for entry, in the form npm users need (source for Bun,
// the build with its declarations for Node, Deno and bundlers).
// tests/package_install.test.ts installs the packed package and uses it so.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { entryPoints, packageExport } from "../scripts/entry_points.ts";
import { ROOT } from "./_paths.ts";

describe("package.json", () => {
  it("exports exactly deno.json's entry points, each with its build and declarations", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    const expected = Object.fromEntries(
      [...entryPoints()].map(([subpath, source]) => [subpath, packageExport(source)]),
    );
    assert.deepEqual(pkg.exports, expected);
  });

  it("ships every folder an entry point lives in", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    for (const source of entryPoints().values()) {
      const top = source.replace(/^\.\//, "").split("/")[0];
      assert.ok(pkg.files.includes(top), `package.json "files" lacks "${top}" (for ${source})`);
    }
  });
});
