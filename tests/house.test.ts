// The house rules that keep the code readable, checked on every run rather
// than remembered: private files stay private, folders are entered through
// their public module, examples use only what users can import, imports make
// no circles, and no library file grows past what one reading holds.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, it } from "node:test";
import { entryPoints } from "../scripts/entry_points.ts";
import { ROOT } from "./_paths.ts";

/** The library: what the package ships and users import. */
const LIBRARY = [
  "mod.ts",
  "core",
  "stores",
  "transports",
  "testing",
  "effect",
  "admin",
  "cli",
  "opentelemetry",
];
/** The one file that loads the PostgreSQL drivers at run time (the command line must make them). */
const DRIVER_LOADER = "cli/_drivers.ts";
const MAX_LINES = 400;

interface Import {
  readonly from: string;
  readonly to: string;
}

function tsFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return path.endsWith(".ts") ? [path] : [];
  return readdirSync(full).flatMap((name) => tsFiles(join(path, name)));
}

/** Relative imports and re-exports of a file, outside comments (JSDoc examples import too). */
function importsOf(file: string): Import[] {
  const code = readFileSync(join(ROOT, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const found: Import[] = [];
  for (const match of code.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)) {
    found.push({ from: file, to: normalize(join(dirname(file), match[1])) });
  }
  return found;
}

const entries = new Set([...entryPoints().values()].map((source) => normalize(source)));
const library = LIBRARY.flatMap(tsFiles);
const libraryImports = library.flatMap(importsOf);

/** Whether `folder` is `ancestor` or inside it. */
function within(folder: string, ancestor: string): boolean {
  return ancestor === "." || folder === ancestor || folder.startsWith(`${ancestor}/`);
}

const isPrivate = (file: string) => file.split("/").pop()!.startsWith("_");

describe("the house", () => {
  it("keeps each _ file private to its folder and the folders below it", () => {
    const leaks = [...libraryImports, ...tsFiles("examples").flatMap(importsOf)]
      .filter(({ from, to }) => isPrivate(to) && !within(dirname(from), dirname(to)))
      .map(({ from, to }) => `${from} imports ${to}`);
    assert.deepEqual(leaks, []);
  });

  it("enters another folder only through its mod.ts or a package entry point", () => {
    const sideDoors = libraryImports
      .filter(({ from, to }) => {
        const target = dirname(to);
        if (within(dirname(from), target)) return false; // its own folder, or one above it
        return !to.endsWith("/mod.ts") && to !== "mod.ts" && !entries.has(to);
      })
      .map(({ from, to }) => `${from} imports ${to}`);
    assert.deepEqual(sideDoors, []);
  });

  it("has examples import only the package's entry points and each other", () => {
    const internal = tsFiles("examples").flatMap(importsOf)
      .filter(({ to }) => !to.startsWith("examples/") && !entries.has(to))
      .map(({ from, to }) => `${from} imports ${to}`);
    assert.deepEqual(internal, []);
  });

  it("has no import circles in the library", () => {
    const edges = new Map<string, string[]>();
    for (const { from, to } of libraryImports) edges.set(from, [...(edges.get(from) ?? []), to]);
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      path.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === "open") {
          circles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
        } else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of library) if (!state.has(file)) visit(file);
    assert.deepEqual(circles, []);
  });

  it(`loads the drivers (PostgreSQL's, NATS's) at run time only in ${DRIVER_LOADER}, and imports dynamically only in cli/`, () => {
    const loads: string[] = [];
    for (const file of library) {
      const code = readFileSync(join(ROOT, file), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const driverImport =
        /^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+"(?:npm:)?(?:postgres|@electric-sql\/pglite|@nats-io\/transport-node)(?:@[^"]*)?"/m;
      if (driverImport.test(code)) loads.push(`${file} imports a driver`);
      const dynamic = /\bimport\(\s*(?!["']\.)/.test(code.replace(/typeof import\(/g, ""));
      if (dynamic && !file.startsWith("cli/")) loads.push(`${file} imports at run time`);
      if (
        /["'](?:npm:)?(?:postgres|@electric-sql\/pglite)(?:@[^"']*)?["']/.test(
          code.replace(/\bfrom\s+"[^"]*"/g, ""),
        ) && file !== DRIVER_LOADER
      ) {
        loads.push(`${file} names a driver outside an import`);
      }
    }
    assert.deepEqual(loads, []);
  });

  it(`keeps every library file under ${MAX_LINES} lines`, () => {
    const long = library
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), "utf8").split("\n").length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${relative(".", file)}: ${lines} lines`);
    assert.deepEqual(long, []);
  });
});
