// A running consumer's link to the people who operate it, through the
// storage's optional control store: it announces itself every interval (what
// its group reads, until when it counts as running), takes the replay
// requests of its group and replays them through its own handler, and
// withdraws when it stops. A failure is reported and retried next interval,
// unless retrying cannot fix it (an unmigrated schema, a closed storage): that
// one stops the consumer, as it would from any other part. A group member
// refused its name (another running instance holds it) neither announces nor
// withdraws: the row under that name is the holder's.

import { ValidationError } from "../errors.ts";
import { sleep } from "../_sleep.ts";
import { type DeliveryEnv, reportAtStop, retryable, worked } from "./_delivery_env.ts";
import { replayOne } from "./_replay.ts";
import { endsBeforeAbort } from "./_stop_wait.ts";
import type { ConsumerSource } from "./source.ts";

/** Default `controlInterval`, in ms. */
export const DEFAULT_CONTROL_INTERVAL = 2000;

/** Replay requests taken per interval. */
const REPLAYS_PER_ROUND = 100;

/** Checks `controlInterval`: a positive whole number of ms, or `false`. */
export function checkControlInterval(value: unknown): number | false {
  if (value === undefined) return DEFAULT_CONTROL_INTERVAL;
  if (value === false) return false;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 3_600_000) {
    throw new ValidationError(
      "options.controlInterval",
      value,
      "must be false or a whole number of milliseconds from 1 to 3600000",
    );
  }
  return value;
}

/** Who is announcing. */
export interface ControlIdentity {
  readonly instance: string;
  readonly source: ConsumerSource;
  readonly partitions: number;
  /**
   * Whether another running instance holds this identity (a group member refused its name):
   * then this one neither announces nor withdraws, which would be the holder's row. Default never.
   */
  readonly refused?: () => boolean;
  /**
   * Whether this consumer may take its group's replay requests now: a group
   * member only while it holds its name's membership, since a request taken
   * is taken once, and one refused its name would run it beside the holder.
   * Default always.
   */
  readonly mayReplay?: () => boolean;
  /** Settles when `mayReplay` first has an answer (a member's first heartbeat); default at once. */
  readonly ready?: Promise<void>;
}

/**
 * Runs the link until `signal` aborts, then withdraws; resolves when done.
 * Does nothing when the storage has no control store or `interval` is false.
 */
export async function runControlLink<Tx>(
  env: DeliveryEnv<Tx>,
  identity: ControlIdentity,
  interval: number | false,
  signal: AbortSignal,
): Promise<void> {
  const control = env.storage.control;
  if (control === undefined || interval === false) return;
  const { refused = () => false, mayReplay = () => true, ready, ...announced } = identity;
  const presence = { group: env.group, ...announced };
  // Two loops, each on its own beat: a replay runs the handler, which may take
  // longer than an announcement lasts (three intervals), and so may a round of
  // up to 100 replays. Announcing between replays would still miss one long
  // replay; announcing apart from them never waits for a handler, as it does
  // not wait for the partitions' deliveries either.
  const ended = await Promise.all([
    every(env, interval, signal, async () => {
      if (!refused()) await control.announce(presence, { ttl: interval * 3 });
    }),
    every(env, interval, signal, async () => {
      await ready;
      // Not a member now: left where they are, for the instance that is.
      if (!mayReplay()) return;
      const ids = await control.takeReplays(env.group, { limit: REPLAYS_PER_ROUND });
      for (const id of ids) {
        if (signal.aborted) {
          // Not replayed: asked for again, so that another consumer takes it.
          await control.requestReplay(env.group, id);
          continue;
        }
        await replayOne(env, id);
      }
    }),
  ]);
  // Stopped by what retrying cannot fix (a closed storage): nothing to withdraw from.
  if (ended.includes(false) || refused()) return;
  try {
    const withdrawn = await env.stopWait.bound(() =>
      control.withdraw(env.group, identity.instance)
    );
    if ("late" in withdrawn) {
      env.logger.warn(WITHDRAW_FAILED, {
        ...env.site,
        waitedMs: env.stopWait.waitedMs,
        reason: "the storage did not answer in time",
      });
    }
  } catch (error) {
    reportAtStop(env, error, -1, WITHDRAW_FAILED);
  }
}

const WITHDRAW_FAILED =
  "Consumer could not withdraw; it is listed as running until its announcement expires";

/**
 * Runs `round` now and every `interval` after it ends, until `signal` aborts:
 * `true` then; `false` at once when a failure cannot be fixed by retrying
 * (it has stopped the consumer). Any other failure is reported and retried next interval.
 */
async function every<Tx>(
  env: DeliveryEnv<Tx>,
  interval: number,
  signal: AbortSignal,
  round: () => Promise<unknown>,
): Promise<boolean> {
  do {
    let fatal = false;
    const once = (async () => {
      try {
        await round();
        worked(env, "storage");
      } catch (error) {
        // Stopping, a failed round is no news: the withdrawal after it says what is left.
        if (signal.aborted) return;
        fatal = !retryable(env, error, { phase: "storage", partition: -1 });
      }
    })();
    // A round in flight as the stop comes gets the stop's one short wait, not its timeout.
    if (!(await endsBeforeAbort(once, signal))) await env.stopWait.bound(once);
    if (fatal) return false;
  } while (await sleep(interval, signal));
  return true;
}
