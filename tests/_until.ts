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

/**
 * `promise`, or a rejection naming `what` if it has not settled after
 * `timeout` ms: for a call that must end by itself (report, not hang).
 */
export async function settles<T>(promise: Promise<T>, what: string, timeout = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeout} ms waiting for ${what} to settle`)),
      timeout,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
