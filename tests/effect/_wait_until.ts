// The Effect tests' wait for what happens in the background: poll a check,
// and die naming what was awaited if it does not hold in time.
import { Effect } from "effect";

/** Waits (polling every 2 ms) until `check()` holds; dies after 20 s naming `what`. */
export const waitUntil = (check: () => boolean, what = "a condition"): Effect.Effect<void> =>
  Effect.gen(function* () {
    const deadline = Date.now() + 20_000;
    while (!check()) {
      if (Date.now() > deadline) {
        return yield* Effect.die(new Error(`Timed out waiting for ${what}`));
      }
      yield* Effect.sleep("2 millis");
    }
  });
