// Turns a call of the Promise API into an Effect: ordo's errors with an
// expected `_tag` go to the error channel, anything else stays a defect.
import { Effect } from "effect";
import type { OrdoError, OrdoErrorTag } from "../core/mod.ts";

/**
 * Runs `run` as an Effect whose failure is what `onError` makes of it (a
 * synchronous throw of `run` included). `run` gets an AbortSignal, aborted on
 * interruption, only if it declares a parameter: Effect makes an
 * AbortController per call for that, which an append or a send that never
 * looks at it should not pay for.
 */
export function fromPromise<A, E>(
  run: (signal: AbortSignal) => Promise<A>,
  onError: (error: unknown) => Effect.Effect<A, E>,
): Effect.Effect<A, E> {
  return Effect.flatten(
    run.length === 0
      ? Effect.promise(() => settled(run, undefined, onError))
      : Effect.promise((signal: AbortSignal) => settled(run, signal, onError)),
  );
}

// The call's outcome as the Effect to continue with.
function settled<A, E>(
  run: (signal: AbortSignal) => Promise<A>,
  signal: AbortSignal | undefined,
  onError: (error: unknown) => Effect.Effect<A, E>,
): Promise<Effect.Effect<A, E>> {
  let promise: Promise<A>;
  try {
    promise = run(signal!);
  } catch (error) {
    promise = Promise.reject(error);
  }
  return Promise.resolve(promise).then(succeeded<A>, onError);
}

function succeeded<A>(value: A): Effect.Effect<A> {
  return Effect.succeed(value);
}

/** Runs a call of the Promise API as an Effect: ordo's errors tagged `tags` fail it, anything else is a defect. */
export function fromOrdo<A, E extends OrdoError>(
  tags: readonly E["_tag"][],
  run: (signal: AbortSignal) => Promise<A>,
): Effect.Effect<A, E> {
  return fromPromise(
    run,
    (error) => isTagged(error, tags) ? Effect.fail(error as E) : Effect.die(error),
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
