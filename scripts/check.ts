// `npm run check` after format and lint, on the entry points of deno.json
// (the files Deno users import):
// 1. `deno check --doc` type-checks them, the example services (which Deno
//    runs as they are), and the `@example` blocks of every source file in the
//    entries' folders, so an example that no longer compiles fails.
// 2. `deno doc --lint` finds every exported symbol and member without JSDoc,
//    and every public type that names a type users cannot look up. It runs
//    over all entries at once, the package as a registry documents it: an
//    adapter's types may name the kit's `EventStore`, and the root entry's
//    the kit's building blocks (a consumer storage's parts, a transport's
//    envelopes), so `ordo` stays the short list an application needs. A dependency's type (Effect's `Effect`,
//    PGlite's `PGliteInterface`) is that package's to document and is left
//    out, as Deno itself does for jsr: and https: imports; npm packages are
//    files in node_modules to it.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { entryPoints, ROOT } from "./entry_points.ts";

const EXAMPLES = [
  "examples/ecommerce/orders.ts",
  "examples/ecommerce/inventory.ts",
  "examples/ecommerce/users.ts",
];

const entries = [...entryPoints().values()];
const sources = sourceFiles(entries);
const deno = `${ROOT}node_modules/.bin/deno`;

const checked = spawnSync(deno, ["check", "--quiet", "--doc", ...sources, ...EXAMPLES], {
  cwd: ROOT,
  stdio: "inherit",
});
if (checked.status !== 0) process.exit(checked.status ?? 1);

const sourceLines = sources.map((file) => readFileSync(`${ROOT}${file}`, "utf8").split("\n"));
const errors = new Set(docLint(entries));
if (errors.size > 0) {
  process.stderr.write([...errors].join(""));
  process.stderr.write(`Found ${errors.size} documentation lint error(s).\n`);
  process.exit(1);
}

// The .ts files in the folders (and the root files) the entries live in.
function sourceFiles(entries: readonly string[]): string[] {
  const tops = new Set(entries.map((entry) => entry.replace(/^\.\//, "").split("/")[0]!));
  const files: string[] = [];
  for (const top of tops) {
    if (top.endsWith(".ts")) files.push(top);
    else {
      for (const file of readdirSync(`${ROOT}${top}`, { recursive: true, encoding: "utf8" })) {
        if (file.endsWith(".ts") && !file.endsWith(".d.ts")) files.push(`${top}/${file}`);
      }
    }
  }
  return files.sort();
}

// `deno doc --lint` of `roots` together: its diagnostics, as Deno prints
// them, less the references to dependencies' types.
function docLint(roots: readonly string[]): string[] {
  const linted = spawnSync(deno, ["doc", "--lint", ...roots], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const diagnostics = (linted.stderr.split(/^error: Found /m)[0] ?? "")
    .split(/^(?=error\[)/m)
    .filter((block) => block.startsWith("error["));
  if (linted.status !== 0 && diagnostics.length === 0) {
    return [`deno doc --lint ${roots.join(" ")} failed:\n${linted.stderr}`];
  }
  return diagnostics.filter((diagnostic) => !refersToDependency(diagnostic));
}

// A private-type-ref whose referenced declaration (the line Deno quotes, with
// its number) is in none of the package's own source files.
function refersToDependency(diagnostic: string): boolean {
  if (!diagnostic.startsWith("error[private-type-ref]")) return false;
  const quoted = /^ *(\d+) \| (.*)\n *\| - this is the referenced type/m.exec(diagnostic);
  if (quoted === null) return false;
  const index = Number(quoted[1]) - 1;
  const text = quoted[2]!.trimEnd();
  return !sourceLines.some((file) => file[index]?.trimEnd() === text);
}
