// The user docs cannot drift from the code: every TypeScript block of the
// README, the guide and the e-commerce README is a file of examples/ word for
// word, as a user writes it (entry points imported as "ordo/…"), and
// tests/examples/run_all.test.ts runs every example. Every relative link
// points at a file that exists, output shown after an example ("It prints:")
// is what it prints, and `npm run docs` builds the API reference,
// in which every public function and class shows an example.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { entryPoints } from "../scripts/entry_points.ts";
import { ROOT } from "./_paths.ts";
import { run } from "./_process.ts";
import { CURRENT_RUNTIME } from "./_runtimes.ts";
import { asUserCode } from "./_user_code.ts";

/** The documents users read, from the repository root. */
const DOCUMENTS = [
  "README.md",
  "examples/ecommerce/README.md",
  ...markdownUnder("docs/guide"),
  ...(existsSync(join(ROOT, "docs/status.md")) ? ["docs/status.md"] : []),
];

function markdownUnder(folder: string): string[] {
  if (!existsSync(join(ROOT, folder))) return [];
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md"))
    .map((file) => `${folder}/${file}`)
    .sort();
}

function examples(folder = "examples"): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? examples(`${folder}/${entry.name}`)
      : entry.name.endsWith(".ts")
      ? [`${folder}/${entry.name}`]
      : []
  );
}

/** Each example as a user writes it, to its file. */
const BY_TEXT = new Map(examples().map((file) => [asUserCode(file), file]));

function codeBlocks(markdown: string): { line: number; code: string }[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].map((match) => ({
    line: markdown.slice(0, match.index).split("\n").length,
    code: match[1],
  }));
}

/** An example's block followed by "It prints:" and a plain block of its output. */
function shownOutputs(markdown: string): { line: number; code: string; output: string }[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].flatMap((match) => {
    const after = markdown.slice(match.index + match[0].length);
    const opening = "\n\nIt prints:\n\n```\n";
    const output = after.startsWith(opening)
      ? after.slice(opening.length).match(/^([\s\S]*?)^```$/m)?.[1]
      : undefined;
    if (output === undefined) return [];
    return [{ line: markdown.slice(0, match.index).split("\n").length, code: match[1], output }];
  });
}

describe("the user docs", () => {
  for (const document of DOCUMENTS) {
    it(`${document} shows only examples that run, word for word`, () => {
      const markdown = readFileSync(join(ROOT, document), "utf8");
      const strays = codeBlocks(markdown)
        .filter(({ code }) => !BY_TEXT.has(code))
        .map(({ line, code }) => `${document}:${line}: ${code.split("\n")[0]}`);
      assert.deepEqual(strays, [], 'these blocks are no file of examples/ (imports as "ordo")');
    });

    it(`${document} links only to files that exist`, () => {
      const markdown = readFileSync(join(ROOT, document), "utf8");
      const broken = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((match) => match[1])
        .filter((target) => !/^([a-z]+:|#)/.test(target))
        .filter((target) => !existsSync(join(ROOT, dirname(document), target.split("#")[0])));
      assert.deepEqual(broken, []);
    });
  }

  for (const document of DOCUMENTS) {
    const shown = shownOutputs(readFileSync(join(ROOT, document), "utf8"));
    for (const { line, code, output } of shown) {
      const file = BY_TEXT.get(code);
      it(`${document}:${line} shows what ${file} prints (${CURRENT_RUNTIME.name})`, async () => {
        assert.ok(file, "the block before it is an example");
        const result = await run(CURRENT_RUNTIME.command, CURRENT_RUNTIME.args(file), {
          cwd: ROOT,
          timeout: 120_000,
          env: { NO_COLOR: "1" },
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, output);
      });
    }
  }

  it("npm run docs builds the API reference from the JSDoc, offline", async () => {
    const output = await mkdtemp(join(tmpdir(), "ordo-api-"));
    try {
      const built = await run("node", ["--import", "tsx", "scripts/docs.ts", output], {
        cwd: ROOT,
        timeout: 120_000,
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const index = await readFile(join(output, "index.html"), "utf8");
      assert.match(index, /ordo/);
      const all = await readFile(join(output, "all_symbols.html"), "utf8");
      for (const name of ["createMemoryStore", "createConsumer", "createBus", "checkProjection"]) {
        assert.match(all, new RegExp(name), name);
      }
      // Nothing fetched from elsewhere when the pages are opened.
      assert.doesNotMatch(index, /<(script|link)[^>]+(src|href)="https?:/);
    } finally {
      await rm(output, { recursive: true, force: true });
    }
  });

  it("every public function and class of the entry points has an @example", async () => {
    const listed = await run(
      join(ROOT, "node_modules/.bin/deno"),
      ["doc", "--json", "--quiet", ...entryPoints().values()],
      { cwd: ROOT, timeout: 120_000 },
    );
    assert.equal(listed.code, 0, listed.stderr);
    const missing = withoutExample(JSON.parse(listed.stdout));
    assert.ok(missing.size < 1000, "the listing was read");
    assert.deepEqual([...missing].sort(), []);
  });
});

interface DocSymbol {
  name: string;
  declarations: { kind: string; jsDoc?: { tags?: { kind: string }[] } }[];
}

/**
 * The functions and classes of a `deno doc --json` listing that no
 * declaration shows an `@example` for. A re-export from another entry point
 * is a "reference": the symbol is judged where it is declared.
 */
function withoutExample(listing: { nodes: Record<string, { symbols?: DocSymbol[] }> }) {
  const declarations = Object.values(listing.nodes)
    .flatMap((node) => node.symbols ?? [])
    .flatMap((symbol) => symbol.declarations.map((declaration) => ({ ...declaration, symbol })));
  const callable = declarations.filter((d) => d.kind === "function" || d.kind === "class");
  const shown = new Set(
    callable
      .filter((d) => d.jsDoc?.tags?.some((tag) => tag.kind === "example"))
      .map((d) => d.symbol.name),
  );
  return new Set(callable.map((d) => d.symbol.name).filter((name) => !shown.has(name)));
}
