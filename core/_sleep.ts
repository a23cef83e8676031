// An abortable sleep that owns one timer and one abort listener and removes
// both when it ends, so a stopped consumer leaves nothing keeping the process alive.

/**
 * Resolves `true` after `ms`, or `false` as soon as `signal` aborts (at once
 * if it already has). The kit exports it as `abortableSleep`, for adapters' retries.
 *
 * @example
 * ```ts
 * import { sleep } from "./_sleep.ts";
 * const stop = new AbortController();
 * stop.abort();
 * console.log(await sleep(1_000, stop.signal)); // false, at once
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
