// Turns a call of the Promise API into an Effect: ordo's errors with an
// expected `_tag` go to the error channel, anything else stays a defect.
import { Effect } from "effect";
import type { OrdoError, OrdoErrorTag } from "../core/mod.ts";

/** Runs `run` (which gets an AbortSignal aborted on interruption) as an Effect failing with `E`. */
export function fromOrdo<A, E extends OrdoError>(
  tags: readonly E["_tag"][],
  run: (signal: AbortSignal) => Promise<A>,
): Effect.Effect<A, E> {
  // Effect makes an AbortController for every call whose function declares a
  // parameter; only the calls that use the signal (reads that page, waits)
  // declare one. An append paid for a controller it never looked at.
  return Effect.flatten(
    run.length === 0
      ? Effect.promise(() => settled((run as () => Promise<A>)(), tags))
      : Effect.promise((signal: AbortSignal) => settled(run(signal), tags)),
  );
}

// The call's outcome as the Effect to continue with: ordo's errors with an
// expected tag to the error channel, anything else a defect.
function settled<A, E extends OrdoError>(
  promise: Promise<A>,
  tags: readonly E["_tag"][],
): Promise<Effect.Effect<A, E>> {
  return promise.then(
    (value): Effect.Effect<A, E> => Effect.succeed(value),
    (error: unknown): Effect.Effect<A, E> =>
      isTagged(error, tags) ? Effect.fail(error as E) : Effect.die(error),
  );
}

export function isTagged(error: unknown, tags: readonly OrdoErrorTag[]): boolean {
  return error instanceof Error &&
    tags.includes((error as { _tag?: OrdoErrorTag })._tag as OrdoErrorTag);
}

/** Runs a synchronous call of the Promise API (a factory that validates) as an Effect failing with `E`. */
export function fromOrdoSync<A, E extends OrdoError>(
  tags: readonly E["_tag"][],
  run: () => A,
): Effect.Effect<A, E> {
  return Effect.suspend(() => {
    try {
      return Effect.succeed(run());
    } catch (error) {
      return isTagged(error, tags) ? Effect.fail(error as E) : Effect.die(error);
    }
  });
}
