// A call's deadline on the NATS transport. The caller bounds its own wait by
// it (a sendAndWait's wait for the reply, a query's request), and a query
// carries it to the process that answers, as the milliseconds left when it
// was sent (`Ordo-Wait-Ms`): a time of day would be read against another
// machine's clock, and a skew of seconds would end queries early or keep
// them late. What the message spends in transit is not counted (well under a
// millisecond on one network; more only when the answering process was too
// busy to read it, which it cannot tell either way).

import type { MsgHdrs } from "@nats-io/nats-core";
import { TimeoutError } from "../../core/mod.ts";

/** The header of a query request: milliseconds its caller still waits, a whole number. */
export const WAIT_HEADER = "Ordo-Wait-Ms";

/** Milliseconds left until `deadline` (`Date.now()` clock), at least 0; `undefined` for none. */
export function millisecondsLeft(deadline: number | undefined): number | undefined {
  if (deadline === undefined || deadline === Infinity) return undefined;
  return Math.max(0, Math.ceil(deadline - Date.now()));
}

/**
 * A signal that aborts with a `TimeoutError` naming `operation` (and the
 * milliseconds that were left) at `deadline`; `undefined` for none. `clear`
 * stops its timer.
 */
export function deadlineSignal(
  deadline: number | undefined,
  operation: string,
): { readonly signal: AbortSignal; clear(): void } | undefined {
  const left = millisecondsLeft(deadline);
  if (left === undefined) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(operation, left)), left);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * The local clock time by which a query's caller stops waiting, from its
 * request's `Ordo-Wait-Ms`; `undefined` when it sent none (an older
 * transport, a bare `nats req`) or a malformed one, which is not bounded.
 */
export function receivedDeadline(headers: MsgHdrs | undefined): number | undefined {
  if (headers === undefined || !headers.has(WAIT_HEADER)) return undefined;
  const value = headers.get(WAIT_HEADER);
  if (!/^\d{1,10}$/.test(value)) return undefined;
  return Date.now() + Number(value);
}
