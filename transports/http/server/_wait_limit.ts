// `Prefer: wait=<seconds>`: a bound on how long a command's answer is awaited.

import { TimeoutError } from "../../../core/mod.ts";

/**
 * Runs `call` with a signal that aborts when `outer` does or `limit`
 * milliseconds pass; in the second case rejects with a `TimeoutError`
 * naming `operation`. `Infinity`: no bound.
 */
export async function withWaitLimit<T>(
  call: (signal: AbortSignal) => Promise<T>,
  outer: AbortSignal | undefined,
  limit: number,
  operation: string,
): Promise<T> {
  if (limit === Infinity) return await call(outer ?? new AbortController().signal);
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(operation, limit);
      controller.abort(error);
      reject(error);
    }, limit);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}
