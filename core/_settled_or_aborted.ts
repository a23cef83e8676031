// A call that cannot be cancelled, waited for only until its caller gives up:
// a request to the NATS server waits for the connection while the client
// reconnects, up to its timeout (5 s), and a stop (a Ctrl-C, a close()) must
// not wait for it; an in-process handler takes no signal, and a caller whose
// deadline passed must not wait for it either. What runs is left to end by
// itself, its failure no one's.

/**
 * `running`, or the abort's reason as soon as `signal` aborts (`running`
 * goes on; a failure of it after that is dropped).
 *
 * @example
 * ```ts
 * import { settledOrAborted } from "./_settled_or_aborted.ts";
 * const controller = new AbortController();
 * const waited = settledOrAborted(new Promise(() => {}), controller.signal);
 * controller.abort(new Error("the caller gave up"));
 * await waited.catch((error) => error.message); // "the caller gave up"
 * ```
 */
export function settledOrAborted<T>(running: Promise<T>, signal: AbortSignal): Promise<T> {
  running.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    running.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
