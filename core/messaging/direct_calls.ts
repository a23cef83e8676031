/**
 * An optional side door of a transport that answers in the caller's own
 * turn (the in-process one): the same calls as the {@link Transport} port,
 * returning the answer itself instead of a promise of it. The bus uses them
 * when they are there, which spares a promise, a deadline entry and a
 * microtask per call; every transport still implements the port, and a bus
 * that finds no side door uses the port.
 *
 * @module
 */

import type {
  CommandEnvelope,
  EventEnvelope,
  PublishReceipt,
  QueryEnvelope,
  SendReceipt,
  Transport,
} from "./transport.ts";

/** The key a transport offers its {@link DirectCalls} under. */
export const directCalls: unique symbol = Symbol("ordo.directCalls");

/**
 * Calls that give their answer at once. Each behaves as its namesake in
 * {@link Transport}, except that it returns the answer (or, for `query`,
 * whatever the handler returned: a value or a promise) and throws what the
 * promise would have rejected with. The bus calls them unbound
 * (`guard.runDirect(direct.query, envelope, …)`): make them arrow functions
 * or bound methods.
 */
export interface DirectCalls {
  /** {@link Transport.send}, returning the receipt. */
  send(command: CommandEnvelope): SendReceipt;
  /** {@link Transport.query}, returning what the handler returned (a value or a promise). */
  query(query: QueryEnvelope): unknown;
  /** {@link Transport.publish}, returning the receipt. */
  publish(event: EventEnvelope): PublishReceipt;
}

/**
 * The direct calls a transport offers, if any.
 *
 * @example
 * ```ts
 * import { directCallsOf } from "./direct_calls.ts";
 * import { createInProcessTransport } from "../../transports/in_process.ts";
 * directCallsOf(createInProcessTransport()) !== undefined; // true
 * ```
 */
export function directCallsOf(transport: Transport): DirectCalls | undefined {
  const direct = (transport as { readonly [directCalls]?: DirectCalls })[directCalls];
  return typeof direct?.query === "function" && typeof direct.publish === "function" &&
      typeof direct.send === "function"
    ? direct
    : undefined;
}
