// What the client tells the server about how long it waits (RFC 7240's
// `Prefer: wait=<seconds>`): the server cannot always see the client leave
// (a proxy may keep the server's side of the connection open after the
// client's side closed), so an unbounded `Prefer: wait` kept a server's wait,
// and its close(), held for a handler that never answered.

/**
 * The `Prefer` header for a call the bus stops waiting for at `deadline`
 * (`Date.now()` milliseconds): `wait=<seconds left, rounded up, at least 1>`,
 * or `unbounded` (for a `sendAndWait`, `"wait"`; for a query, none) when
 * there is no deadline. Rounded up, so the server never gives up before the
 * client does.
 *
 * @example
 * ```ts
 * import { waitPreference } from "./_wait_preference.ts";
 * waitPreference(1_000 + 300, "wait", 1_000); // { prefer: "wait=1" }
 * waitPreference(undefined, "wait"); // { prefer: "wait" }
 * waitPreference(undefined, undefined); // undefined
 * ```
 */
export function waitPreference(
  deadline: number | undefined,
  unbounded: string | undefined,
  now: number = Date.now(),
): Readonly<Record<string, string>> | undefined {
  if (deadline === undefined || deadline === Infinity || Number.isNaN(deadline)) {
    return unbounded === undefined ? undefined : { prefer: unbounded };
  }
  return { prefer: `wait=${Math.max(1, Math.ceil((deadline - now) / 1000))}` };
}
