// The three runtimes as a test runs a TypeScript file in a child process:
// each from node_modules, so no test depends on what is on the PATH.
import { BUN, DENO } from "./_paths.ts";

/** A runtime's name and the command line that runs one TypeScript file with it. */
export interface Runtime {
  readonly name: "deno" | "bun" | "node";
  readonly command: string;
  readonly args: (file: string) => readonly string[];
  /** The command line that runs one file of `node:test` tests with the runtime's own test runner. */
  readonly testArgs: (file: string) => readonly string[];
}

/** Deno (all permissions), Bun, and Node 20 (which needs tsx to strip types). */
export const RUNTIMES: readonly Runtime[] = [
  {
    name: "deno",
    command: DENO,
    args: (file) => ["run", "-A", file],
    testArgs: (file) => ["test", "-A", file],
  },
  { name: "bun", command: BUN, args: (file) => [file], testArgs: (file) => ["test", `./${file}`] },
  {
    name: "node",
    command: "node",
    args: (file) => ["--import", "tsx", file],
    testArgs: (file) => ["--import", "tsx", "--test", "--test-reporter=spec", file],
  },
];

/**
 * The runtime running this test file. Tests that run children under "the"
 * runtime use this one, so `npm test`, which runs the tree under each of the
 * three, runs them under each without a test spawning all three itself.
 */
export const CURRENT_RUNTIME: Runtime = RUNTIMES.find((runtime) =>
  runtime.name === ("Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node")
)!;
