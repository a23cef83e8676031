/**
 * How a call to the other side failed: it did not answer in time, a circuit
 * breaker refused it, the peer could not be reached, or the peer failed in a
 * way it does not disclose.
 *
 * @module
 */

import { describeValue, OrdoError } from "./ordo_error.ts";

/**
 * An operation did not finish within its time limit. Retryable: the bus
 * tries again only while the call's own deadline leaves time.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./calls.ts";
 * const error = new TimeoutError("query \"orders/show\"", 5000);
 * console.log(error.message); // Timed out after 5000 ms: query "orders/show"
 * ```
 */
export class TimeoutError extends OrdoError {
  /** Always `"TimeoutError"`. */
  readonly _tag = "TimeoutError" as const;

  /**
   * `operation` names what ran out of time, `timeoutMs` the limit it had;
   * `hint`, when given, ends the message with what may have gone wrong (a
   * `sendAndWait` no handler answered).
   */
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(
      `Timed out after ${timeoutMs} ms: ${operation}${
        options?.hint === undefined ? "" : `: ${options.hint}`
      }`,
      options,
    );
  }
}

/**
 * A circuit breaker refused the call without making it: recent calls failed
 * in a row. Not retried by the bus (it would be refused again); the breaker
 * lets a trial call through after `retryAfter` milliseconds. `guards` names
 * what the breaker guards (a bus's peer: an HTTP server's URL, a transport),
 * and `cause` is the failure that opened it, when known. When the breaker
 * opened while the bus was retrying the call and an earlier attempt's request
 * was sent before its connection dropped, `requestSent` is true and the
 * message says so: the other side may have run the call.
 *
 * @example
 * ```ts
 * import { CircuitOpenError } from "./calls.ts";
 * const error = new CircuitOpenError('query "orders/show"', 900);
 * console.log(error.message); // Circuit breaker open during query "orders/show": next trial in 900 ms
 * const named = new CircuitOpenError('query "orders/show"', 900, {
 *   guards: "http://orders:8080",
 *   cause: new Error("fetch failed (ECONNREFUSED)"),
 * });
 * console.log(named.message);
 * // Circuit breaker open during query "orders/show" (guarding http://orders:8080): next trial in 900 ms; it opened on: fetch failed (ECONNREFUSED)
 * ```
 */
export class CircuitOpenError extends OrdoError {
  /** Always `"CircuitOpenError"`. */
  readonly _tag = "CircuitOpenError" as const;
  /** What the breaker guards (`http://orders:8080`, a transport's kind); `undefined` when not said. */
  readonly guards: string | undefined;
  /**
   * True when an earlier attempt of this call, before the breaker opened,
   * sent its request and then lost its connection: the other side may have
   * run it (as `PeerUnreachableError.requestSent`).
   */
  readonly requestSent: boolean;

  /**
   * `operation` names the refused call; `retryAfter` is how long until the
   * breaker tries again; `earlierDrop` is what the earlier attempt whose
   * request was sent met, when there was one.
   */
  constructor(
    readonly operation: string,
    /** Milliseconds until the breaker lets a trial call through. */
    readonly retryAfter: number,
    options?: { cause?: unknown; guards?: string; earlierDrop?: string },
  ) {
    const of = options?.guards === undefined ? "" : ` (guarding ${options.guards})`;
    const cause = options?.cause;
    const opened = cause === undefined
      ? ""
      : `; it opened on: ${cause instanceof Error ? cause.message : String(cause)}`;
    const earlier = options?.earlierDrop === undefined
      ? ""
      : `; before it opened, an earlier attempt: ${options.earlierDrop}`;
    super(
      `Circuit breaker open during ${operation}${of}: next trial in ${
        Math.ceil(retryAfter)
      } ms${opened}${earlier}`,
      cause === undefined ? undefined : { cause },
    );
    this.guards = options?.guards;
    this.requestSent = options?.earlierDrop !== undefined;
  }
}

/**
 * The other service could not be reached (connection refused, DNS failure, a
 * proxy's 502/503/504), or answered with something that is not ordo's.
 * `peer` names what was called (a URL). Whether the call took effect is
 * unknown; every bus call is safe to repeat, so it is retryable.
 *
 * @example
 * ```ts
 * import { PeerUnreachableError } from "./calls.ts";
 * const error = new PeerUnreachableError('query "orders/show"', "http://orders:8080/queries/orders/show", "connection refused");
 * console.log(error.message);
 * // Cannot reach "http://orders:8080/queries/orders/show" during query "orders/show": connection refused
 * ```
 */
export class PeerUnreachableError extends OrdoError {
  /** Always `"PeerUnreachableError"`. */
  readonly _tag = "PeerUnreachableError" as const;

  /**
   * True when the request had been sent before the connection failed (it
   * dropped while the answer was awaited): the other side may have run it.
   * The bus says so when a later attempt of the call fails otherwise.
   */
  readonly requestSent: boolean;
  /** What the network said: the message after the peer and the operation. */
  readonly detail: string;

  /** `operation` names the call, `peer` what could not be reached, `detail` what the network said. */
  constructor(
    readonly operation: string,
    /** What could not be reached: a URL, or a service's name. */
    readonly peer: string,
    detail: string,
    options?: { cause?: unknown; requestSent?: boolean },
  ) {
    super(
      `Cannot reach ${describeValue(peer)} during ${operation}: ${detail}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.requestSent = options?.requestSent === true;
    this.detail = detail;
  }
}

/**
 * The other side failed with an error that is not ordo's (a bug, a handler's
 * own exception) and did not disclose it: its log has the error under
 * `errorId`. Not retryable.
 *
 * @example
 * ```ts
 * import { ServerError } from "./calls.ts";
 * const error = new ServerError('query "orders/show"', "5b1f9a60-2f5e-4c1e-9d7a-0c7f1b2e3d4a");
 * console.log(error.message);
 * // The server failed during query "orders/show": see error id "5b1f9a60-2f5e-4c1e-9d7a-0c7f1b2e3d4a" in its log
 * ```
 */
export class ServerError extends OrdoError {
  /** Always `"ServerError"`. */
  readonly _tag = "ServerError" as const;

  /** `operation` names the call the server failed; `errorId` finds the failure in the server's log. */
  constructor(
    readonly operation: string,
    /** The id under which the server logged the failure; `undefined` when it gave none. */
    readonly errorId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `The server failed during ${operation}: ${
        errorId === undefined
          ? "it gave no error id"
          : `see error id ${describeValue(errorId)} in its log`
      }`,
      options,
    );
  }
}
