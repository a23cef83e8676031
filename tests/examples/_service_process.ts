// A service of examples/ecommerce running in a child process on its own
// runtime, for the end-to-end test: started as the leader of a new process
// group (so killing the group leaves no orphan whatever the runtime forks),
// watched line by line on stdout, stopped with SIGTERM or killed with SIGKILL.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { BUN, DENO, ROOT } from "../_paths.ts";
import { followOutput } from "../_process.ts";

/** The runtimes the services run on, and how each is started. */
export const RUNTIME_COMMANDS = {
  deno: (script: string) => [DENO, ["run", "-A", script]],
  bun: (script: string) => [BUN, [script]],
  node: (script: string) => ["node", ["--import", "tsx", script]],
} as const satisfies Record<string, (script: string) => readonly [string, readonly string[]]>;

export type Runtime = keyof typeof RUNTIME_COMMANDS;

/** How a service process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** One run of a service: a child process and everything it printed. */
export class ServiceProcess {
  readonly proc: ChildProcess;
  /** stdout and stderr as printed, interleaved, for failure messages. */
  output = "";
  /** Complete stdout lines, in order. */
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  #watchers = new Set<() => void>();

  constructor(
    readonly name: string,
    runtime: Runtime,
    script: string,
    env: Record<string, string>,
  ) {
    const [command, args] = RUNTIME_COMMANDS[runtime](script);
    this.proc = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    followOutput(this.proc, (text) => (this.output += text), (lines) => {
      this.lines.push(...lines);
      this.#notify();
    });
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: string | null) => {
        this.#exit ??= { code, signal };
        resolve(this.#exit);
        this.#notify();
      };
      this.proc.once("exit", done);
      this.proc.once("error", (error) => {
        this.output += `\n[spawn error] ${error}`;
        done(null, null);
      });
    });
  }

  /** Whether the process has ended. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /**
   * Resolves with the first stdout line that satisfies `match`, waiting up to
   * `timeout` ms; rejects (with everything the service printed) if it exits first or the time runs out.
   */
  async waitForLine(
    match: (line: string) => boolean,
    what: string,
    timeout: number,
  ): Promise<string> {
    await this.waitUntil(() => this.lines.some(match), what, timeout);
    return this.lines.find(match)!;
  }

  /** Waits until `condition()` (checked after every line printed) holds, as {@link waitForLine} does. */
  async waitUntil(condition: () => boolean, what: string, timeout: number): Promise<void> {
    const deadline = performance.now() + timeout;
    for (;;) {
      if (condition()) return;
      if (this.#exit !== undefined) {
        throw new Error(
          `${this.name} exited (${
            JSON.stringify(this.#exit)
          }) before printing ${what}:\n${this.output}`,
        );
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new Error(`${this.name} did not print ${what} within ${timeout} ms:\n${this.output}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const watchers = this.#watchers;
        function wake() {
          clearTimeout(timer);
          watchers.delete(wake);
          resolve();
        }
        watchers.add(wake);
      });
    }
  }

  /** Counts the stdout lines that satisfy `match`. */
  count(match: (line: string) => boolean): number {
    return this.lines.filter(match).length;
  }

  /** Sends `signal` to the whole process group. */
  signalGroup(signal: "SIGTERM" | "SIGKILL"): void {
    if (this.#exit !== undefined || this.proc.pid === undefined) return;
    try {
      process.kill(-this.proc.pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  /** SIGKILLs the process group and waits until the process is gone. */
  async kill(): Promise<Exit> {
    this.signalGroup("SIGKILL");
    return await this.exited;
  }

  /**
   * SIGTERMs the process group and waits up to `timeout` ms for the service to
   * exit on its own; kills it if it does not. Resolves with how it ended.
   */
  async terminate(timeout: number): Promise<Exit | "killed"> {
    this.signalGroup("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((
      resolve,
    ) => (timer = setTimeout(() => resolve("late"), timeout)));
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (result !== "late") return result;
    await this.kill();
    return "killed";
  }

  #notify(): void {
    for (const wake of [...this.#watchers]) wake();
  }
}
