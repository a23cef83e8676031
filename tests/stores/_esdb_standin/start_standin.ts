// Starts the stand-in gRPC endpoint (server.ts) in a Node child process and
// follows its report. Runtime-neutral: node:child_process works in Deno, Bun
// and Node, and the child is always Node, so only the runtime under test runs
// the client.
import { spawn } from "node:child_process";
import process from "node:process";
import { createInterface } from "node:readline";
import { ROOT } from "../../_paths.ts";

/** One line of the stand-in's report (see call_tracker.ts and server.ts). */
export type StandInRecord = Readonly<Record<string, unknown>> & { readonly event: string };

export interface StandIn {
  /** `esdb://127.0.0.1:PORT?tls=false` */
  readonly url: string;
  readonly port: number;
  /** Everything reported so far, in order. */
  readonly records: readonly StandInRecord[];
  /** Resolves with the first record (already seen or still to come) that matches; rejects after `timeout` ms. */
  waitFor(
    what: string,
    matches: (record: StandInRecord) => boolean,
    timeout?: number,
  ): Promise<StandInRecord>;
  /** Appends an event as another writer would; resolves with its made-up log position once it is stored. */
  appendElsewhere(
    stream: string,
    event: { id: string; type: string; data: unknown },
  ): Promise<bigint>;
  /** Sends GOAWAY on every client connection and closes it, as a server going down does; the stand-in keeps listening. */
  goAway(): Promise<void>;
  /** How many of the stand-in's keepalive PINGs the client has answered so far. */
  pingAnswers(): number;
  /** Ends the child process (it also ends by itself if this process dies); `crash` kills it at once. */
  stop(options?: { crash?: boolean }): Promise<void>;
}

export interface StartStandInOptions {
  /** Advertise Streams.BatchAppend, so the client appends over the bidirectional call. */
  readonly batchAppend?: boolean;
  /** PING every client connection every this many ms. */
  readonly keepalive?: number;
  /** Listen on this port (to come back where a crashed stand-in was). */
  readonly port?: number;
}

export async function startStandIn(options: StartStandInOptions = {}): Promise<StandIn> {
  const args = [
    "--import",
    "tsx",
    "tests/stores/_esdb_standin/server.ts",
    ...(options.batchAppend ? ["--batch-append"] : []),
  ];
  if (options.keepalive !== undefined) args.push(`--keepalive=${options.keepalive}`);
  if (options.port !== undefined) args.push(`--port=${options.port}`);
  // grpc-js traces its keepalive PINGs on stderr; pingAnswers counts the answered ones.
  const env = { ...process.env, GRPC_TRACE: "keepalive", GRPC_VERBOSITY: "DEBUG" };
  const child = spawn("node", args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  // What the stand-in printed on stderr, less grpc-js's keepalive trace.
  const errors = () =>
    stderr.split("\n").filter((line) => !line.includes("| keepalive |")).join("\n");
  const records: StandInRecord[] = [];
  const waiting = new Set<
    { matches: (record: StandInRecord) => boolean; resolve: (record: StandInRecord) => void }
  >();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const record = JSON.parse(line) as StandInRecord;
    records.push(record);
    for (const waiter of waiting) {
      if (waiter.matches(record)) {
        waiting.delete(waiter);
        waiter.resolve(record);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const waitFor = (what: string, matches: (record: StandInRecord) => boolean, timeout = 20_000) => {
    const seen = records.find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<StandInRecord>((resolve, reject) => {
      const waiter = {
        matches,
        resolve: (record: StandInRecord) => {
          clearTimeout(timer);
          resolve(record);
        },
      };
      // A guard against a hang, not a speed assertion: generous on a loaded 2-core machine.
      const timer = setTimeout(() => {
        waiting.delete(waiter);
        reject(
          new Error(
            `The stand-in did not report ${what} within ${timeout} ms; it reported:\n${
              records.map((r) => JSON.stringify(r)).join("\n")
            }\n${errors()}`,
          ),
        );
      }, timeout);
      waiting.add(waiter);
    });
  };

  const ready = await Promise.race([
    waitFor("that it listens", (r) => r.event === "ready", 60_000),
    exited.then(() =>
      Promise.reject(new Error(`The stand-in exited before it listened:\n${errors()}`))
    ),
  ]);
  return {
    url: `esdb://127.0.0.1:${ready.port}?tls=false`,
    port: ready.port as number,
    records,
    waitFor,
    async goAway() {
      const before = records.filter((r) => r.event === "went-away").length;
      child.stdin!.write(`${JSON.stringify({ cmd: "goaway" })}\n`);
      await waitFor(
        "GOAWAY sent",
        (r) =>
          r.event === "went-away" && records.filter((x) => x.event === "went-away").length > before,
      );
    },
    pingAnswers: () => stderr.split("Received ping response").length - 1,
    async appendElsewhere(stream, event) {
      child.stdin!.write(`${JSON.stringify({ cmd: "append", stream, ...event })}\n`);
      const appended = await waitFor(
        `the append of ${event.id}`,
        (r) => r.event === "appended" && r.id === event.id,
      );
      return BigInt(appended.position as string);
    },
    async stop({ crash = false } = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (crash) child.kill("SIGKILL");
      else child.stdin!.end();
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
