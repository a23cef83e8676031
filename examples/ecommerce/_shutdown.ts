// Graceful stop on SIGTERM (what supervisors and `docker stop` send) and
// SIGINT (Ctrl-C): run the service's cleanup once, then let the process end on
// its own. Nothing calls process.exit on success: a process that does not exit
// after cleanup has left something open, and that should show.
import process from "node:process";
import { trace } from "./_trace.ts";

/**
 * Calls `stop` on the first SIGTERM or SIGINT. If `stop` throws, the error is
 * printed and the exit code is 1; a second signal while stopping exits at once.
 */
export function onShutdown(service: string, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) {
      console.error(`${service} received ${signal} again while stopping: exiting now`);
      process.exit(1);
    }
    stopping = true;
    trace(service, `${signal}: stopping`);
    stop().then(
      () => trace(service, "stopped"),
      (error) => {
        console.error(`${service} failed to stop cleanly:`, error);
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGTERM", () => handle("SIGTERM"));
  process.on("SIGINT", () => handle("SIGINT"));
}
