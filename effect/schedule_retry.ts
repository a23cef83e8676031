/**
 * Handler retry policies as Effect `Schedule`s. ordo's consumers (and the
 * bus's handlers over them) retry a failed handler in a fresh transaction,
 * so the Schedule cannot wrap the handler itself; instead it becomes the
 * core policy's `delays` rule: each message delivery steps its own copy of
 * the Schedule once per failed attempt, with the error as input, waits the
 * delay it gives, and parks the message when the Schedule is done.
 *
 * @module
 */

import { Cause, Clock, type Context, Duration, Effect, Exit, Pull, Schedule } from "effect";
import type { RetryPolicy } from "../core/mod.ts";

/**
 * A handler retry policy: ordo's own (`{ maxAttempts, initialDelay, … }`), or
 * a `Schedule` fed with each failure (the handler's error, a `TimeoutError`,
 * or a defect). `Schedule.recurs(3)` means three retries, so four attempts.
 */
export type EffectRetry<R = never> = RetryPolicy | Schedule.Schedule<unknown, unknown, unknown, R>;

/**
 * The core retry policy that follows `schedule`, stepping it with the
 * services of the effect that made it. A Schedule that fails or dies parks
 * the message too (the consumer reports that error through `onError`); one
 * that never ends never parks.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect";
 * import { scheduleRetry } from "./mod.ts";
 * const policy = await Effect.runPromise(scheduleRetry(Schedule.exponential("10 millis").pipe(Schedule.upTo({ times: 3 }))));
 * const next = policy.delays!(); // one message's retries
 * console.log(await next(1, new Error("x")), await next(2, new Error("x"))); // 10 20
 * ```
 */
export function scheduleRetry<R = never>(
  schedule: Schedule.Schedule<unknown, unknown, unknown, R>,
): Effect.Effect<RetryPolicy, never, R> {
  return Effect.map(Effect.context<R>(), (context) => scheduleRetryWith(schedule, context));
}

/** {@link EffectRetry} as the core policy, stepping a Schedule with `context`. */
export function toRetryPolicy<R>(
  retry: EffectRetry<R> | undefined,
  context: Context.Context<R>,
): RetryPolicy | undefined {
  return retry !== undefined && Schedule.isSchedule(retry)
    ? scheduleRetryWith(retry as Schedule.Schedule<unknown, unknown, unknown, R>, context)
    : retry as RetryPolicy | undefined;
}

type Step<R> = (
  now: number,
  input: unknown,
) => Pull.Pull<[unknown, Duration.Duration], unknown, unknown, R>;

function scheduleRetryWith<R>(
  schedule: Schedule.Schedule<unknown, unknown, unknown, R>,
  context: Context.Context<R>,
): RetryPolicy {
  const runExit = Effect.runPromiseExitWith(context);
  return {
    delays: () => {
      // This delivery's own Schedule state, made at its first failure.
      let step: Step<R> | undefined;
      return async (_attempt, error) => {
        const exit = await runExit(Effect.gen(function* () {
          step ??= yield* Schedule.toStep(schedule);
          const [, delay] = yield* step(yield* Clock.currentTimeMillis, error);
          return Duration.toMillis(delay);
        }));
        if (Exit.isSuccess(exit)) return exit.value;
        if (Pull.isDoneCause(exit.cause)) return undefined; // the Schedule is over: park
        throw Cause.squash(exit.cause);
      };
    },
  };
}
