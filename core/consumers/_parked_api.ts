// The methods every consumer kind offers: stopping and closing, and the
// parked-message calls, which a closed consumer refuses.

import { CloseGate } from "../closing.ts";
import { checkOptions } from "../options.ts";
import type { DeliveryEnv } from "./_delivery_env.ts";
import { replayAll, replayOne } from "./_replay.ts";
import { noticeSlowStop } from "./_slow_stop.ts";
import type { Consumer } from "./consumer_types.ts";

const LIST_OPTION_KEYS: readonly string[] = ["limit", "after"];
const REPLAY_ALL_OPTION_KEYS: readonly string[] = ["signal"];

/** A running consumer's promises and the controller that stops it. */
export interface RunningConsumer {
  readonly group: string;
  readonly caughtUp: Promise<void>;
  readonly done: Promise<void>;
  readonly stopping: AbortController;
}

/**
 * The consumer's API over its running loop. `done` may reject (an error
 * retrying cannot fix); it is marked handled, since that error was logged
 * already, and `stop()` and `close()` resolve once the consumer has stopped
 * whatever ended it.
 */
export function consumerApi<Tx>(
  env: DeliveryEnv<Tx>,
  running: RunningConsumer,
): Omit<Consumer, "status" | "waitFor"> {
  const { group, caughtUp, done, stopping } = running;
  const gate = new CloseGate("consumer");
  // Also marks `done` handled: the error that ended it was logged already.
  const stopped = done.catch(() => {});
  const stop = () => {
    if (!stopping.signal.aborted) noticeSlowStop(env, stopped);
    stopping.abort();
    return stopped;
  };
  return {
    group,
    caughtUp,
    done,
    stop,
    close: () => gate.close(stop),
    listParked: (options) =>
      gate.run("listParked", () => {
        checkOptions(options, LIST_OPTION_KEYS);
        return env.storage.parked.list(env.group, options);
      }),
    getParked: (messageId) =>
      gate.run("getParked", () => env.storage.parked.get(env.group, messageId)),
    replayParked: (messageId) => gate.run("replayParked", () => replayOne(env, messageId)),
    replayAllParked: (options) =>
      gate.run("replayAllParked", () => {
        checkOptions(options, REPLAY_ALL_OPTION_KEYS);
        return replayAll(env, options);
      }),
  };
}
