#!/usr/bin/env node
/**
 * @module
 * The `ordo` executable: runs the command line on this process's arguments
 * and exits with its code. `npx ordo` and `bunx ordo` run the built copy of
 * this file; Deno runs it as it is: `deno run -A <url>/cli/main.ts status`.
 *
 * Runs on: Node, Bun, Deno.
 */

import process from "node:process";
import { runCli } from "./mod.ts";

const code = await runCli(process.argv.slice(2));
// Exit at once (a Ctrl-C listener must not hold the process), once the output is out.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
process.exit(code);
