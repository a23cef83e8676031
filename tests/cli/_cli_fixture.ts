// Runs the `ordo` command line as a child process, on the runtime running
// the test (Deno under deno test, Bun under bun test, Node with tsx under
// node --test), against the test's PostgreSQL: what a user at a terminal
// runs, exit code, standard output and standard error.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { ROOT } from "../_paths.ts";
import { run, type RunResult } from "../_process.ts";
import { RUNTIMES } from "../_runtimes.ts";

/** The runtime this test runs on, as the command line is started with it. */
export const RUNTIME = RUNTIMES.find((r) =>
  "Deno" in globalThis
    ? r.name === "deno"
    : process.versions.bun
    ? r.name === "bun"
    : r.name === "node"
)!;

const MAIN = `${ROOT}cli/main.ts`;

/** Options of {@link ordo}. */
export interface OrdoOptions {
  /** `DATABASE_URL` for the child; `null` leaves it unset. */
  readonly url: string | null;
  readonly env?: Record<string, string | undefined>;
  readonly timeout?: number;
  readonly cwd?: string;
}

/** Runs `ordo <args>` to completion. */
export async function ordo(args: readonly string[], options: OrdoOptions): Promise<RunResult> {
  return await run(RUNTIME.command, [...RUNTIME.args(MAIN), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...options.env, DATABASE_URL: options.url ?? "", NO_COLOR: "1" },
    timeout: options.timeout ?? 60_000,
  });
}

/** Starts `ordo <args>` and leaves it running (for `tail`). */
export function startOrdo(args: readonly string[], url: string): ChildProcess {
  return spawn(RUNTIME.command, [...RUNTIME.args(MAIN), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, NO_COLOR: "1" },
    stdio: "pipe",
  });
}

/** `result.stdout` parsed as JSON; the failure says what was printed instead. */
export function json(result: RunResult): unknown {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** A failure message with everything the child printed. */
export function said(result: RunResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}
