// How tests wait for what happens in the background: poll a check until it
// holds, and fail naming what was awaited if it does not hold in time. A
// guard against a hang, not a speed check: the timeouts are generous.

/**
 * Resolves once `check()` holds, polling every `every` ms; rejects after
 * `timeout` ms with `what` (or what `what()` says then, to show the state the
 * wait ended in).
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string | Promise<string>),
  timeout = 20_000,
  every = 2,
): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!(await check())) {
    if (performance.now() > deadline) {
      const said = typeof what === "string" ? what : await what();
      throw new Error(`Timed out after ${timeout} ms waiting for ${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
