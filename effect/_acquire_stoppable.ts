// Holding something ordo starts and stops (a consumer, a group member, a bus,
// a handler registration) in an Effect scope.
import { Effect, type Scope } from "effect";
import type { ValidationError } from "../core/mod.ts";
import { fromOrdoSync } from "./_from_promise.ts";

/**
 * Starts something ordo stops gracefully (a consumer, a group member, a bus,
 * a handler registration) in the current scope; bad options fail with
 * `ValidationError`. Closing the scope stops it gracefully: finalizers are
 * uninterruptible, so the scope is closed only once the handler in progress
 * finished and its checkpoint was stored.
 */
export function acquireStoppable<C extends { stop(): Promise<void> }>(
  make: () => C,
): Effect.Effect<C, ValidationError, Scope.Scope> {
  return Effect.acquireRelease(
    fromOrdoSync<C, ValidationError>(["ValidationError"], make),
    (started) => Effect.promise(() => started.stop()),
  );
}
