// A stop that takes long says what it waits for. `stop()` lets the handler in
// progress finish and waits for the store's and storage's calls in flight,
// each up to its own timeout: with its server away, that was half a minute of
// silence after SIGTERM (seen on NATS), which looks like a hang of ordo's.

import { SLOW_CLOSE_NOTICE } from "../closing.ts";
import { unrefTimer } from "../_unref_timer.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";

/** Warns once, {@link SLOW_CLOSE_NOTICE}'s time after a stop began, if `stopped` has not settled. */
export function noticeSlowStop<Tx>(env: DeliveryEnv<Tx>, stopped: Promise<void>): void {
  const started = Date.now();
  const timer = setTimeout(() => {
    const partitions = env.monitor.running().map((p) => `partition ${p.partition} (${p.state})`);
    env.logger.warn("Stopping the consumer is still waiting", {
      ...env.site,
      seconds: Math.round((Date.now() - started) / 1000),
      waitingFor: partitions.length === 0 ? "its storage" : partitions.join(", "),
      hint: "stop() lets the handler in progress finish and waits for the store's and the " +
        "storage's calls in flight, each up to its own timeout; a handler that never returns " +
        "keeps it waiting",
    });
  }, SLOW_CLOSE_NOTICE.afterMs);
  // A stop that can never end must still let a script exit.
  unrefTimer(timer);
  void stopped.finally(() => clearTimeout(timer));
}
