// A sendAndWait that timed out says why it likely did: no handler answers its
// name. The bare "Timed out" hid that, the commonest cause.

import { TimeoutError } from "../errors.ts";
import type { Transport } from "./transport.ts";

/**
 * `error` with a hint when it is the call's own timeout and no handler of
 * `type` is known here. Not when the transport has the handler (it was
 * slow), and not for a timeout of the handler's own (another operation).
 * A transport that cannot tell (`handles` absent or `undefined`) gets a hint
 * that asks.
 */
export function withUnansweredHint(
  error: unknown,
  transport: Transport,
  type: string,
  operation: string,
): unknown {
  if (!(error instanceof TimeoutError) || error.operation !== operation) return error;
  const here = transport.handles?.("command", type);
  if (here === true) return error;
  return new TimeoutError(error.operation, error.timeoutMs, {
    cause: error,
    hint: here === false
      ? `no handler of it is registered in this process; is the service that handles it running?`
      : `no handler answered; is one registered for "${type}", and is its service running?`,
  });
}
