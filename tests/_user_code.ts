// Examples as a user copies them: the repository's examples import the
// package's entry points by relative path (`../mod.ts`) so they run in place;
// the README, the guide and an installed package's user write `"ordo"` and
// `"ordo/<subpath>"`. This turns the one into the other, and reads the output
// an example promises in its comments.
import { readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { entryPoints } from "../scripts/entry_points.ts";
import { ROOT } from "./_paths.ts";

/** Source file of an entry point (`mod.ts`, `stores/postgres/mod.ts`) to its package specifier. */
const SPECIFIERS = new Map(
  [...entryPoints()].map(([subpath, source]) => [
    normalize(source),
    subpath === "." ? "ordo" : `ordo${subpath.slice(1)}`,
  ]),
);

/**
 * The text of `file` (a path from the repository root) as a user writes it:
 * every relative import of an entry point becomes its package specifier;
 * other imports (another example, a driver) stay as they are.
 */
export function asUserCode(file: string, code = readFileSync(join(ROOT, file), "utf8")): string {
  return code.replace(
    /(\bfrom\s+|\bimport\s*\(\s*)"(\.{1,2}\/[^"]+)"/g,
    (whole, keyword: string, specifier: string) => {
      const target = relative(ROOT, join(ROOT, dirname(file), specifier));
      const name = SPECIFIERS.get(normalize(target));
      return name === undefined ? whole : `${keyword}"${name}"`;
    },
  );
}

/**
 * The lines an example says it prints: the comment after each one-line
 * `console.log(…); // revenue: 42`, in order.
 */
export function promisedOutput(code: string): string[] {
  return [...code.matchAll(/^[ \t]*console\.log\(.*\);[ \t]*\/\/ (.+)$/gm)].map((match) =>
    match[1]
  );
}

/** Whether `stdout` holds every promised line, in order (other lines may come between). */
export function missingOutput(stdout: string, promised: readonly string[]): string[] {
  const lines = stdout.split("\n");
  let at = 0;
  const missing: string[] = [];
  for (const line of promised) {
    const found = lines.indexOf(line, at);
    if (found === -1) missing.push(line);
    else at = found + 1;
  }
  return missing;
}
