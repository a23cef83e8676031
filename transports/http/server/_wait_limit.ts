// How long the server waits for an answer: a command's (`sendAndWait`) until
// it comes, the client goes away, or `Prefer: wait=<seconds>` passes; a
// query's until it comes or `Prefer: wait=<seconds>` passes (the connection
// is not watched for a query: see _request_dispatcher.ts).

import { TimeoutError } from "../../../core/mod.ts";
import type { TransportCallOptions } from "../../../core/messaging/mod.ts";

/**
 * Runs `call` with a signal that aborts when `outer` does or `limit`
 * milliseconds pass. The wait ends then whether or not the transport
 * honours the signal: on `outer`'s abort (the client went away) it rejects
 * with `outer`'s reason, on the limit with a `TimeoutError` naming
 * `operation`. A transport that does not look at the signal (the in-process
 * one did not) would keep the request, and `close()` with it, waiting after
 * its client had gone. `Infinity`: no time limit. The call gets the limit as
 * its `deadline` too, for a transport that asks another party to wait.
 */
export async function withWaitLimit<T>(
  call: (options: TransportCallOptions) => Promise<T>,
  outer: AbortSignal | undefined,
  limit: number,
  operation: string,
): Promise<T> {
  const controller = new AbortController();
  const deadline = limit === Infinity ? undefined : Date.now() + limit;
  let end!: (reason: unknown) => void;
  const ended = new Promise<never>((_, reject) => (end = reject));
  const stop = (reason: unknown) => {
    controller.abort(reason);
    end(reason);
  };
  const onAbort = () => stop(outer!.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener("abort", onAbort, { once: true });
  const timer = limit === Infinity
    ? undefined
    : setTimeout(() => stop(new TimeoutError(operation, limit)), limit);
  try {
    return await Promise.race([call({ signal: controller.signal, deadline }), ended]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}
