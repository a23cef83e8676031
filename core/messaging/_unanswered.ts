// A sendAndWait that timed out says why it likely did: no handler answers its
// name. The bare "Timed out" hid that, the commonest cause. A transport that
// knows more (its connection was down during the wait) says so first.

import { TimeoutError } from "../errors.ts";
import { consoleLogger } from "../logger.ts";
import type { Transport } from "./transport.ts";

/**
 * `error` with a hint when it is the call's own timeout: what the transport
 * knows of the wait (`unansweredHint`), then, unless the transport has the
 * handler (it was slow), whether one is registered. Not for a timeout of the
 * handler's own (another operation). A transport that cannot tell
 * (`handles` absent or `undefined`) gets a hint that asks.
 */
export function withUnansweredHint(
  error: unknown,
  transport: Transport,
  type: string,
  operation: string,
): unknown {
  if (!(error instanceof TimeoutError) || error.operation !== operation) return error;
  const here = transport.handles?.("command", type);
  // The call's deadline just passed: it waited from `timeoutMs` ago.
  const known = transportHint(transport, Date.now() - error.timeoutMs);
  const handler = here === true
    ? undefined
    : here === false
    ? `no handler of it is registered in this process; is the service that handles it running?`
    : `no handler answered; is one registered for "${type}", and is its service running?`;
  if (known === undefined && handler === undefined) return error;
  return new TimeoutError(error.operation, error.timeoutMs, {
    cause: error,
    hint: known === undefined
      ? handler
      : handler === undefined
      ? known
      : `${known}; if not that, ${handler}`,
  });
}

// The transport's own word on the wait, if it has one; one that throws is a
// bug of the transport's: logged where it logs, and the caller still gets its
// TimeoutError.
function transportHint(transport: Transport, since: number): string | undefined {
  if (typeof transport.unansweredHint !== "function") return undefined;
  try {
    const hint = transport.unansweredHint(since);
    return typeof hint === "string" && hint !== "" ? hint : undefined;
  } catch (thrown) {
    (transport.logger ?? consoleLogger).error("Transport's unansweredHint threw", {
      error: thrown,
    });
    return undefined;
  }
}
