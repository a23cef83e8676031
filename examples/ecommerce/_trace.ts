// One readable line per thing a service did, in the demo's format: the service
// name in a column, then what happened. Plain stdout, so the same lines show in
// a terminal, in `docker logs` and in the end-to-end test's failure messages.

/** Prints `line` as said by `service`. */
export function trace(service: string, line: string): void {
  console.log(`${service.padEnd(10)} ${line}`);
}

/** A tracer bound to one service. */
export type Trace = (line: string) => void;

/** Binds {@link trace} to `service`. */
export function tracerFor(service: string): Trace {
  return (line) => trace(service, line);
}
