// Turns a call of the Promise API into an Effect: ordo's errors with an
// expected `_tag` go to the error channel, anything else stays a defect.
import { Effect } from "effect";
import type { OrdoError, OrdoErrorTag } from "../core/mod.ts";

/** Runs `run` (which gets an AbortSignal aborted on interruption) as an Effect failing with `E`. */
export function fromOrdo<A, E extends OrdoError>(
  tags: readonly E["_tag"][],
  run: (signal: AbortSignal) => Promise<A>,
): Effect.Effect<A, E> {
  return Effect.flatten(
    Effect.promise((signal: AbortSignal) =>
      run(signal).then(
        (value): Effect.Effect<A, E> => Effect.succeed(value),
        (error: unknown): Effect.Effect<A, E> =>
          isTagged(error, tags) ? Effect.fail(error as E) : Effect.die(error),
      )
    ),
  );
}

/** Whether `error` is an ordo error whose tag is one of `tags`. */
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
