// A consumer's `caughtUp` promise: resolved the first time it has read
// everything, rejected if it stops before.

/** The `caughtUp` promise of a consumer and the two ways it settles. */
export interface FirstCatchUp {
  readonly promise: Promise<void>;
  /** Resolves the promise (later calls do nothing). */
  reached(): void;
  /** Rejects the promise unless it was reached. */
  stoppedBefore(reason: unknown): void;
}

/** A pending `caughtUp`; a rejection nobody awaits is not reported as unhandled. */
export function firstCatchUp(): FirstCatchUp {
  let reached!: () => void;
  let stoppedBefore!: (reason: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    reached = resolve;
    stoppedBefore = reject;
  });
  promise.catch(() => {}); // a consumer stopped early is not an unhandled rejection
  return { promise, reached, stoppedBefore };
}
