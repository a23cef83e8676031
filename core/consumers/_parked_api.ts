// The parked-message methods every consumer kind offers.

import type { DeliveryEnv } from "./_delivery_env.ts";
import { replayAll, replayOne } from "./_replay.ts";
import type { Consumer } from "./consumer_types.ts";

/** The parked-message methods of a consumer. */
export function parkedApi<Tx>(
  env: DeliveryEnv<Tx>,
): Pick<Consumer, "listParked" | "getParked" | "replayParked" | "replayAllParked"> {
  return {
    listParked: (options) => env.storage.parked.list(env.group, options),
    getParked: (messageId) => env.storage.parked.get(env.group, messageId),
    replayParked: (messageId) => replayOne(env, messageId),
    replayAllParked: (options) => replayAll(env, options),
  };
}
