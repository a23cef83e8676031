// A request to the NATS server waits for the connection while the client
// reconnects, up to its timeout (5 s): a stop (a Ctrl-C, a close()) must not
// wait for it. What runs is left to end by itself, its failure no one's.

/** `running`, or the abort's reason as soon as `signal` aborts. */
export function settledOrAborted<T>(running: Promise<T>, signal: AbortSignal): Promise<T> {
  running.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    running.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
