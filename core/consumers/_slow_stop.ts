// A stop that takes long says what it waits for. `stop()` lets the handler in
// progress finish and waits for the store's and storage's calls in flight,
// each up to its own timeout: with its server away, that was half a minute of
// silence after SIGTERM (seen on NATS), which looks like a hang of ordo's.

import { noticeSlowWait } from "../closing.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";

/** Warns once, `SLOW_CLOSE_NOTICE.afterMs` after a stop began, if `stopped` has not settled. */
export function noticeSlowStop<Tx>(env: DeliveryEnv<Tx>, stopped: Promise<void>): void {
  noticeSlowWait(stopped, (seconds) => {
    const partitions = env.monitor.running().map((p) => `partition ${p.partition} (${p.state})`);
    env.logger.warn("Stopping the consumer is still waiting", {
      ...env.site,
      seconds,
      waitingFor: partitions.length === 0 ? "its storage" : partitions.join(", "),
      hint: "stop() lets the handler in progress finish and waits for the store's and the " +
        "storage's calls in flight, each up to its own timeout; a handler that never returns " +
        "keeps it waiting",
    });
  });
}
