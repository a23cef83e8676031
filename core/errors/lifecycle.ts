/**
 * Refusals that come from the component itself, not from the call: it is
 * closed, or this runtime cannot run it. Neither is retryable.
 *
 * @module
 */

import { OrdoError } from "./ordo_error.ts";

/**
 * The component (a store, bus, transport or consumer) was closed: every call
 * after `close()` is refused with this. Not retryable: make a new one.
 *
 * @example
 * ```ts
 * import { ClosedError } from "./lifecycle.ts";
 * const error = new ClosedError("bus", 'query "orders/show"');
 * console.log(error.message); // Cannot query "orders/show": the bus is closed
 * ```
 */
export class ClosedError extends OrdoError {
  /** Always `"ClosedError"`. */
  readonly _tag = "ClosedError" as const;

  /** `component` is what was closed, `operation` the call it refused. */
  constructor(
    /** What is closed (`store`, `bus`, `transport`, `consumer`). */
    readonly component: string,
    /** What was refused (`append`, `query "orders/show"`). */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot ${operation}: the ${component} is closed`, options);
  }
}

/**
 * This runtime cannot run what was asked for safely, so ordo refuses when it
 * is created rather than failing later (a crash no code could catch). Not
 * retryable: run it on another runtime.
 *
 * @example
 * ```ts
 * import { UnsupportedRuntimeError } from "./lifecycle.ts";
 * new UnsupportedRuntimeError("Deno 2.9.5", "an EventStoreDB client", "its node:http2 crashes on GOAWAY").message;
 * // "Cannot run an EventStoreDB client on Deno 2.9.5: its node:http2 crashes on GOAWAY"
 * ```
 */
export class UnsupportedRuntimeError extends OrdoError {
  /** Always `"UnsupportedRuntimeError"`. */
  readonly _tag = "UnsupportedRuntimeError" as const;

  /** `runtime` and `feature` name what cannot run together, `reason` why and what to use instead. */
  constructor(
    readonly runtime: string,
    readonly feature: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot run ${feature} on ${runtime}: ${reason}`, options);
  }
}
