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
export function withWaitLimit<T>(
  call: (options: TransportCallOptions) => Promise<T>,
  outer: AbortSignal | undefined,
  limit: number,
  operation: string,
): Promise<T> {
  // One promise, and the signal made only if the transport reads it: with
  // ordo's client every query comes with a bound, and a query answered at once
  // leaves its signal unread. An AbortController and a race of two promises
  // per query put the HTTP query bench's p50 at 1.15x bare fetch (1.09-1.10x
  // before the bound); this way 1.12x, the rest being the header itself.
  let controller: AbortController | undefined;
  let reason: unknown;
  let stopped = false;
  const options: TransportCallOptions = {
    get signal() {
      controller ??= new AbortController();
      if (stopped && !controller.signal.aborted) controller.abort(reason);
      return controller.signal;
    },
    deadline: limit === Infinity ? undefined : Date.now() + limit,
  };
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    };
    const stop = (why: unknown) => {
      if (stopped) return;
      stopped = true;
      reason = why;
      done();
      controller?.abort(why);
      reject(why);
    };
    const onAbort = () => stop(outer!.reason);
    // Called even when the client has gone already: the call was accepted, only the wait is not.
    if (outer?.aborted) onAbort();
    else {
      outer?.addEventListener("abort", onAbort, { once: true });
      if (limit !== Infinity) {
        timer = setTimeout(() => stop(new TimeoutError(operation, limit)), limit);
      }
    }
    let running: Promise<T>;
    try {
      running = call(options);
    } catch (error) {
      done();
      return reject(error);
    }
    running.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
