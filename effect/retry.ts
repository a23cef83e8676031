/**
 * Retry and timeout policies as Effect `Schedule`s: retrying an append on a
 * version conflict, a decide-then-append loop for command handlers, and a
 * timeout that fails with ordo's `TimeoutError`.
 *
 * @module
 */

import { Duration, Effect, Schedule } from "effect";
import {
  type ConcurrencyError,
  type MessageInput,
  type RecordedMessage,
  TimeoutError,
} from "../core/mod.ts";
import { type AppendError, EventStore, type ReadError } from "./event_store.ts";
import type { AppendResult } from "../core/mod.ts";

/** The default conflict schedule: up to 5 retries, 10 ms apart growing ×2, jittered. */
export const DEFAULT_CONFLICT_SCHEDULE: Schedule.Schedule<unknown, unknown> = Schedule.exponential(
  "10 millis",
).pipe(
  Schedule.jittered,
  Schedule.upTo({ times: 5 }),
);

/**
 * Retries `self` with `schedule` while it fails with a `ConcurrencyError`;
 * other failures pass through at once. When the schedule is done, the last
 * `ConcurrencyError` is the failure.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect";
 * import { EventStore, retryOnConflict } from "./mod.ts";
 * const bump = EventStore.use((store) => store.append("counter-1", [{ type: "Bumped", data: {} }], { expectedVersion: "no-stream" }));
 * const retried = retryOnConflict(bump, Schedule.recurs(3));
 * ```
 */
export function retryOnConflict<A, E extends { readonly _tag: string }, R>(
  self: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, unknown> = DEFAULT_CONFLICT_SCHEDULE,
): Effect.Effect<A, E, R> {
  return Effect.retry(self, { schedule, while: (error: E) => error._tag === "ConcurrencyError" });
}

/** Options of {@link decideAndAppend}. */
export interface DecideAndAppendOptions {
  /** When to try again after a `ConcurrencyError`. Default {@link DEFAULT_CONFLICT_SCHEDULE}. */
  readonly schedule?: Schedule.Schedule<unknown, unknown>;
}

/**
 * The command-handler loop: reads the stream, asks `decide` for new
 * messages given its history, and appends them expecting the version it
 * read. If another writer moved the stream in between, it reads and decides
 * again, as `schedule` allows. `decide` returning no messages appends nothing.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { decideAndAppend, memoryLayer } from "./mod.ts";
 * const ship = decideAndAppend("order-1", (history) =>
 *   Effect.succeed(history.some((m) => m.type === "OrderShipped") ? [] : [{ type: "OrderShipped", data: {} }]));
 * await Effect.runPromise(Effect.provide(ship, memoryLayer()));
 * ```
 */
export function decideAndAppend<E, R>(
  streamName: string,
  decide: (history: readonly RecordedMessage[]) => Effect.Effect<readonly MessageInput[], E, R>,
  options: DecideAndAppendOptions = {},
): Effect.Effect<AppendResult | undefined, AppendError | ReadError | E, EventStore | R> {
  const once = Effect.gen(function* () {
    const store = yield* EventStore;
    const history = yield* store.readStream(streamName);
    const messages = yield* decide(history);
    if (messages.length === 0) return undefined;
    const last = history[history.length - 1];
    return yield* store.append(streamName, messages, {
      expectedVersion: last === undefined ? "no-stream" : last.streamVersion,
    });
  });
  return Effect.retry(once, {
    schedule: options.schedule ?? DEFAULT_CONFLICT_SCHEDULE,
    while: (error) => (error as Partial<ConcurrencyError>)._tag === "ConcurrencyError",
  });
}

/**
 * Fails `self` with ordo's `TimeoutError` (naming `operation`) when it takes
 * longer than `duration`; `self` is interrupted then.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { withTimeout } from "./mod.ts";
 * const slow = withTimeout(Effect.never, "1 millis", "lookup");
 * const error = await Effect.runPromise(Effect.flip(slow));
 * console.log(error.message); // Timed out after 1 ms: lookup
 * ```
 */
export function withTimeout<A, E, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Input,
  operation: string,
): Effect.Effect<A, E | TimeoutError, R> {
  return Effect.timeoutOrElse(self, {
    duration,
    orElse: () => Effect.fail(new TimeoutError(operation, Duration.toMillis(duration))),
  });
}
