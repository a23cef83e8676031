// The package's entry points have one list: deno.json's "exports". Everything
// else that names them (package.json's exports, the checks of `npm run check`)
// is derived from it here or verified against it by tests/package_exports.test.ts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Subpath (`.`, `./stores/postgres`) to source file (`./mod.ts`), as deno.json lists them. */
export function entryPoints(): ReadonlyMap<string, string> {
  const deno = JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")) as {
    exports: Record<string, string>;
  };
  return new Map(Object.entries(deno.exports));
}

/**
 * What package.json's "exports" must say for one entry: Bun runs the source;
 * Node, Deno (which refuses to strip types under node_modules) and bundlers
 * the build, typed by its declarations. ESM only: there is no `require`.
 */
export function packageExport(source: string): Record<string, string> {
  const built = source.replace(/^\.\//, "./dist/").replace(/\.ts$/, "");
  return {
    types: `${built}.d.ts`,
    bun: source,
    import: `${built}.js`,
    default: `${built}.js`,
  };
}
