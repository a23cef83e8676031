// Runs a child process to completion and collects what it printed; and
// follows a long-running child's output line by line.
import process from "node:process";
import { type ChildProcess, spawn } from "node:child_process";

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from the child's last output (stdout or stderr; its start if none) to its exit. */
  readonly lingered: number;
}

/** Runs `command` with `args`; kills it and rejects after `timeout` ms. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeout?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: "pipe",
    });
    let stdout = "";
    let stderr = "";
    let lastOutput = Date.now();
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      lastOutput = Date.now();
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      lastOutput = Date.now();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${command} ${args.join(" ")} ran over ${options.timeout} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeout ?? 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    let exited: number | undefined;
    child.on("exit", () => (exited = Date.now()));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lingered: (exited ?? Date.now()) - lastOutput });
    });
  });
}

/**
 * Follows a child started with piped stdout and stderr: every chunk of either
 * goes to `onOutput` (for failure messages), and stdout's complete lines, as
 * they arrive, to `onLines`.
 */
export function followOutput(
  child: ChildProcess,
  onOutput: (text: string) => void,
  onLines: (lines: readonly string[]) => void,
): void {
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    onOutput(text);
    partial += text;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    if (lines.length > 0) onLines(lines);
  });
  child.stderr!.on("data", (chunk: Buffer) => onOutput(chunk.toString()));
}
