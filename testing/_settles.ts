// A projection call that never settles (an await on something nothing
// resolves) would hang checkProjection, and the test runner with it, with no
// word of which call: a user trial met it. Each call the check awaits is
// given a deadline; past it the check fails naming the call.

/** How long one call of the projection may take before the check calls it hung. */
export const SETTLE_WITHIN_MS = 10_000;

/** What a projection call that did not settle in time is rejected with. */
export class ProjectionHung extends Error {
  constructor(readonly call: string, within: number) {
    super(
      `${call} did not settle within ${within / 1000} s: every promise the ` +
        "projection returns must resolve or reject (look for an await on something nothing " +
        "resolves, or a transaction or lock waited on inside the handler's own)",
    );
    this.name = "ProjectionHung";
  }
}

/**
 * `result` as is when it is not a promise (a synchronous call costs no
 * timer), else the promise raced against the deadline.
 */
export function settles<T>(
  result: T | PromiseLike<T>,
  call: () => string,
  within: number = SETTLE_WITHIN_MS,
): T | Promise<T> {
  if (typeof (result as PromiseLike<T> | null)?.then !== "function") return result as T;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProjectionHung(call(), within)), within);
  });
  return Promise.race([result as PromiseLike<T>, deadline]).finally(() => clearTimeout(timer));
}
