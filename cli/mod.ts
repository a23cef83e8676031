/**
 * @module
 * The `ordo` command line (`ordo/cli`): operate a store from a terminal.
 * `runCli(args, io)` runs one command line and resolves its exit code;
 * `cli/main.ts` (the package's `bin`) runs it on the process. Commands:
 * migrate, status, streams, read, tail, consumers, parked (show, replay) and
 * rebuild, each with `--help`, tables for people and `--json` for scripts;
 * exit codes 0 (done), 1 (failed), 2 (bad usage), 3 (a replay recorded that
 * no consumer has run yet). It connects to PostgreSQL
 * (`--url` or `DATABASE_URL`), a PGlite directory (`--pglite`) or NATS
 * JetStream (`--url nats://…`, with `--stream`, `--subject-prefix` and
 * `--bucket` for a store not under the default names), loading the driver at
 * run time: the one entry of the package that does.
 *
 * Runs on: Node (`npx ordo`), Bun (`bunx ordo`), Deno (`deno run -A …/cli/main.ts`).
 *
 * @example
 * ```ts ignore
 * import { runCli } from "./mod.ts";
 * const code = await runCli(["status", "--url", "postgres://localhost/app", "--json"]);
 * ```
 */

import process from "node:process";
import { nearestKey } from "../core/mod.ts";
import { type Command, runCommand } from "./_command.ts";
import { COMMANDS } from "./_commands.ts";
import { describeFailure } from "./_errors.ts";
import type { CliIo } from "./_io.ts";

export type { CliIo } from "./_io.ts";
export type { RebuildableProjection, RebuildDatabase } from "./_rebuild_command.ts";

/** The help `ordo --help` prints. */
function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: ordo <command> [options]

Operate an ordo event store: its streams, consumers and parked messages.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Every command takes --help, --json (for scripts), and where to connect:
  --url <url> (postgres://… or nats://…; default DATABASE_URL), --pglite <dir>,
  --schema <name> (PostgreSQL's, default ordo); on NATS --stream <name>
  (default ORDO), --subject-prefix <prefix> (default ordo) and --bucket <name>
  (default ordo_consumers), as the service names them.
Exit codes: 0 done, 1 failed, 2 bad usage, 3 recorded but not run yet
  (parked replay: no consumer of the group is running, or none finished it
  within --wait; the request stays and runs when one does).
`;
}

/**
 * The process's io: its streams, environment and working directory, and a
 * signal that aborts on the first Ctrl-C (the second one exits at once).
 *
 * @example
 * ```ts ignore
 * import { processIo, runCli } from "./mod.ts";
 * process.exitCode = await runCli(["consumers", "--json"], processIo());
 * ```
 */
export function processIo(): CliIo {
  const stopping = new AbortController();
  // One listener for both: Deno calls a listener added while SIGINT is dispatched in that dispatch.
  process.on("SIGINT", () => {
    if (stopping.signal.aborted) process.exit(130);
    stopping.abort();
  });
  // A reader that goes away (`ordo read … | head -1`) closes the pipe: stop
  // quietly, as Unix tools do, instead of an unhandled EPIPE's stack trace.
  // Node reports it as an 'error' event, Deno may throw it from write().
  process.stdout.on("error", (error: Error & { code?: string }) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const out = (text: string) => {
    try {
      process.stdout.write(text);
    } catch (error) {
      if ((error as { code?: string }).code === "EPIPE") process.exit(0);
      throw error;
    }
  };
  return {
    out,
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    columns: process.stdout.columns ?? 100,
    env: process.env,
    signal: stopping.signal,
    cwd: process.cwd(),
  };
}

/**
 * Runs one command line (`["streams", "--category", "order"]`) and resolves
 * its exit code: 0 done, 1 failed, 2 bad usage, 3 a replay recorded that no
 * consumer has run yet (`parked replay`). Errors are printed to
 * `io.err` with what to do; nothing is thrown.
 *
 * @example
 * ```ts
 * import { runCli } from "./mod.ts";
 * const lines: string[] = [];
 * const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t), isTTY: false, columns: 80, env: {}, signal: new AbortController().signal, cwd: "." };
 * console.log(await runCli(["--help"], io), lines[0].split("\n")[0]); // 0 Usage: ordo <command> [options]
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(overview());
    return name === undefined ? 2 : 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    // As a misspelt option gets its nearest: a third of the letters, at least two.
    const nearest = nearestKey(name, COMMANDS.map((c) => c.name), Math.max(2, name.length / 3));
    io.err(
      nearest === undefined
        ? `ordo: unknown command "${name}": run ordo --help to see the commands\n`
        : `ordo: unknown command "${name}": did you mean "ordo ${nearest}"? (ordo --help lists the commands)\n`,
    );
    return 2;
  }
  try {
    return await runCommand(command, rest, io);
  } catch (error) {
    const { text, code } = describeFailure(error, command.name);
    io.err(text);
    return code;
  }
}
